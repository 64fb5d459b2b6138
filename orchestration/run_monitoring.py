"""Killed runs do not block the warehouse pool.

A run holds the one slot of the pool `duckdb_warehouse` while a step runs; a run whose process is
killed (`kill -9`, the machine lost power) never gives it back, and every later run waits for
that slot forever. Two things free it, both built on one check of the run's process:

- Dagster's run monitoring (the daemon, under `dagster dev` or `dagster-daemon run`) asks the
  instance's run launcher whether each started run's worker is alive; `LocalRunLauncher` answers
  from the process recorded on the run (`.dagster/dagster.yaml` sets it and the intervals), the
  daemon then marks a dead run failed with the reason, and frees its slots
  (`free_slots_after_run_end_seconds`).
- Every run, before its first step, does the same for runs whose process died
  (`in_process_executor` below), so a run started from the command line without a daemon does
  not wait either.

A run's process is recorded as the run tag `rox/run_worker` = `host:pid:start`, the start being
the process's start time from /proc (so a pid the system reused for another process is not
taken for the run). Only runs recorded on this host are judged; others are left alone.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

# Dagster's run monitoring calls the launcher with these (not exported at the top level).
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

RUN_WORKER_TAG = "rox/run_worker"
_logger = logging.getLogger(__name__)


def process_start(pid: int) -> str | None:
    """The start time of process `pid` in clock ticks since boot (/proc), None if it is gone or a
    zombie; "" where /proc does not exist (then only the pid is compared)."""
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # After the command name: state is field 3 of proc(5), the start time field 22.
    state, start = fields[0], fields[19]
    return None if state in ("Z", "X") else start


def this_process() -> str:
    """This process as the run tag records it: `host:pid:start`."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start(pid)}"


def worker_health(run: dg.DagsterRun) -> CheckRunHealthResult:
    """Whether the process recorded on `run` still runs (FAILED, with why, when it is gone)."""
    recorded = run.tags.get(RUN_WORKER_TAG)
    if not recorded:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "no run process recorded: not checked")
    host, pid, start = recorded.rsplit(":", 2)
    if host != socket.gethostname():
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"runs on {host}: not checked here")
    now = process_start(int(pid))
    # The same process: alive, and started when the recorded one did ("" where /proc is missing).
    if now is not None and (now == start or "" in (now, start)):
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} on {host} runs")
    return CheckRunHealthResult(
        WorkerStatus.FAILED,
        f"the run's process (pid {pid} on {host}) is gone: it was killed or crashed",
    )


def fail_runs_whose_process_died(
    instance: dg.DagsterInstance, *, by_run: str | None = None
) -> list[str]:
    """Mark every started run whose process is gone as failed, with the reason, and free its
    slots in the concurrency pools; return their run ids."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
    )
    failed = []
    for record in records:
        run = record.dagster_run
        if run.run_id == by_run:
            continue
        health = worker_health(run)
        if health.status != WorkerStatus.FAILED:
            continue
        found_by = f"run {by_run}" if by_run else "a check"
        instance.report_run_failed(
            run, f"{health.msg}. Marked failed by {found_by}, which freed its pool slots."
        )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        _logger.warning("run %s: %s; marked failed, its pool slots freed", run.run_id, health.msg)
        failed.append(run.run_id)
    return failed


class LocalRunLauncher(dg.DefaultRunLauncher):
    """Dagster's default run launcher, plus the worker health check run monitoring asks for."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        return worker_health(run)


class _RecordingExecutor(dg.Executor):
    """The in-process executor, which first records this process on the run and fails the runs
    whose process died (freeing the pool slots they hold)."""

    def __init__(self, inner: dg.Executor) -> None:
        self._inner = inner

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        instance = plan_context.instance
        instance.add_run_tags(plan_context.run_id, {RUN_WORKER_TAG: this_process()})
        fail_runs_whose_process_died(instance, by_run=plan_context.run_id)
        yield from self._inner.execute(plan_context, execution_plan)


@dg.executor(name="in_process", config_schema=dg.in_process_executor.config_schema)
def in_process_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """Dagster's in-process executor (same config), recording the run's process first."""
    return _RecordingExecutor(dg.in_process_executor.executor_creation_fn(init_context))
