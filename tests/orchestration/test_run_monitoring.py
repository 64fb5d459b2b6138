"""A killed run does not keep the warehouse pool's slot: real processes, killed with SIGKILL,
against an instance in tmp with the project's dagster.yaml."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from common.settings import REPO_ROOT
from orchestration.resources import WAREHOUSE_POOL
from orchestration.run_monitoring import (
    RUN_WORKER_TAG,
    WorkerStatus,
    process_start,
    this_process,
    worker_health,
)

DEFS = """
import os, time
from pathlib import Path

import dagster as dg

from orchestration.run_monitoring import in_process_executor


@dg.asset(pool="duckdb_warehouse")
def slow():
    Path(os.environ["ROX_TEST_MARKER"]).write_text(str(os.getpid()))
    time.sleep(600)


@dg.asset(pool="duckdb_warehouse")
def quick():
    return 1


defs = dg.Definitions(assets=[slow, quick], executor=in_process_executor)
"""
BIN = Path(sys.executable).parent


def _run(tags: dict[str, str]) -> dg.DagsterRun:
    return dg.DagsterRun(job_name="j", run_id="r1", tags=tags)


def _dead_process() -> tuple[int, str]:
    child = subprocess.Popen(["sleep", "60"])
    start = process_start(child.pid)
    child.kill()
    child.wait()
    return child.pid, start


def test_a_live_process_runs_and_a_killed_or_reused_one_is_gone() -> None:
    assert worker_health(_run({RUN_WORKER_TAG: this_process()})).status == WorkerStatus.RUNNING
    host = socket.gethostname()
    pid, start = _dead_process()
    gone = worker_health(_run({RUN_WORKER_TAG: f"{host}:{pid}:{start}"}))
    assert gone.status == WorkerStatus.FAILED and f"(pid {pid} on {host}) is gone" in gone.msg
    # This pid alive but started at another time: the system reused the pid, the run is gone.
    reused = worker_health(_run({RUN_WORKER_TAG: f"{host}:{os.getpid()}:1"}))
    assert reused.status == WorkerStatus.FAILED
    # Runs recorded elsewhere, or not at all, are left alone.
    elsewhere = worker_health(_run({RUN_WORKER_TAG: f"other-host:{pid}:{start}"}))
    assert elsewhere.status == WorkerStatus.RUNNING and "not checked" in elsewhere.msg
    assert worker_health(_run({})).status == WorkerStatus.RUNNING


@pytest.fixture
def instance_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A DAGSTER_HOME with the project's dagster.yaml, the tiny definitions, the environment."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / ".dagster" / "dagster.yaml").read_text())
    (tmp_path / "defs.py").write_text(DEFS)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p
        ),
        "ROX_TEST_MARKER": str(tmp_path / "slow_started"),
        "DO_NOT_TRACK": "1",
    }
    return home, env


def _materialize(asset: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    command = [str(BIN / "dagster"), "asset", "materialize", "-f", "defs.py", "--select", asset]
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True,
    )  # fmt: skip


def _kill_while_holding_the_slot(env: dict[str, str], cwd: Path) -> str:
    """Start a run whose step holds the pool's slot, SIGKILL its process group; its run id."""
    marker = Path(env["ROX_TEST_MARKER"])
    run = _materialize("slow", env, cwd)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.status == dg.DagsterRunStatus.STARTED
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert [s.run_id for s in info.claimed_slots] == [record.dagster_run.run_id]
        return record.dagster_run.run_id


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    failures = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    return "\n".join(event.message for event in failures)


def test_the_next_run_completes_after_a_run_was_killed_holding_the_slot(instance_home, tmp_path):
    home, env = instance_home
    dead = _kill_while_holding_the_slot(env, tmp_path)

    following = _materialize("quick", env, tmp_path)
    try:
        output, _ = following.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(following.pid, signal.SIGKILL)
        output, _ = following.communicate()
        pytest.fail(f"the next run was still blocked after 120 s:\n{output[-3000:]}")
    assert following.returncode == 0, output[-3000:]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = {r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records()}
        assert runs.pop(dead) == dg.DagsterRunStatus.FAILURE
        assert list(runs.values()) == [dg.DagsterRunStatus.SUCCESS]
        message = _failure_message(instance, dead)
        assert "is gone: it was killed or crashed" in message and "freed its pool slots" in message
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots == []


def test_the_daemon_frees_a_killed_runs_slot_without_another_run(instance_home, tmp_path):
    """Dagster's run monitoring, at the project's settings except a 1 s poll for the test."""
    home, env = instance_home
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    config["run_monitoring"]["poll_interval_seconds"] = 1
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    dead = _kill_while_holding_the_slot(env, tmp_path)

    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-f", "defs.py"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
    )  # fmt: skip
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            deadline = time.monotonic() + 120
            while True:
                status = instance.get_run_by_id(dead).status
                claimed = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
                if status == dg.DagsterRunStatus.FAILURE and not claimed.claimed_slots:
                    break
                assert daemon.poll() is None, daemon.stdout.read()
                assert time.monotonic() < deadline, f"{status}, {claimed.claimed_slots}"
                time.sleep(0.5)
            message = _failure_message(instance, dead)
        assert "is gone: it was killed or crashed" in message
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
