"""The faults of the matrix that need more than a load (`bench.faults`): a bad row that already
landed (the raw gate and staging), a BI reader across a publish, and a run killed with SIGKILL
while it holds the warehouse pool's slot (real Dagster runs of the project's definitions).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench.fault_common import Outcome, dbt, load_all, table_sums
from common.settings import REPO_ROOT

ORDERS = "raw.salesforce_orders"
STAGED_ORDERS = "staging.stg_salesforce__orders"
KILLED_RUN_SELECTION = "*staging/stg_salesforce__orders"  # raw orders, their gate, dbt staging
RUN_TIMEOUT_S = 300


def _orders_file(landing: Path) -> Path:
    return sorted((landing / "crm").glob("salesforce_orders*.csv"))[-1]


def run_landed_bad_row(root: Path, clean_landing: Path, baseline: dict) -> Outcome:
    """An order dated 2099 types fine and lands in raw; the raw gate moves it to quarantine
    (naming file and line), passes on the rest, and the next run's gate passes too."""
    from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
    from expectations.raw_gate import validate_new_rows
    from expectations.scope import FILE_BATCHES

    outcome = Outcome("bad row that already landed (order dated 2099)")
    landing = root / "landing"
    shutil.copytree(clean_landing, landing)
    path = _orders_file(landing)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = len(lines) // 2
    fields = lines[at].split(",")
    fields[header.index("EffectiveDate")] = "2099-06-01"
    lines[at] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = root / "rox.duckdb"
    suite = RAW_CRM_SUITE["salesforce_orders"]
    with duckdb.connect(str(database)) as con:
        load_all(con, landing, root / "archive")
        landed = con.execute(f"select count(*) from {ORDERS}").fetchone()[0]
        first = validate_new_rows(con, ORDERS, suite, SUITE_NAME, FILE_BATCHES, "fault-run-1")
        second = validate_new_rows(con, ORDERS, suite, SUITE_NAME, FILE_BATCHES, "fault-run-2")
        kept = con.execute(f"select count(*) from {ORDERS}").fetchone()[0]
        quarantined = con.execute(
            "select file_name, line_number, expectation, value from raw.quarantined_rows"
        ).fetchall()
    dbt(database, "run", "--select", "stg_salesforce__orders")
    with duckdb.connect(str(database), read_only=True) as con:
        staged, future = con.execute(
            f"select count(*), count(*) filter (where ordered_on > current_date) "
            f"from {STAGED_ORDERS}"
        ).fetchone()
    want = baseline[ORDERS][0]
    outcome.rows_lost = max(0, want - kept - len(quarantined))
    outcome.rows_duplicated = max(0, landed - want) + max(0, staged - baseline["staged_orders"])
    outcome.rows_lost += max(0, baseline["staged_orders"] - 1 - staged)
    if not (first.success and second.success):
        outcome.unclear.append(f"the gate still fails: {first.blocked or second.blocked}")
    if future:
        outcome.unclear.append(f"{future} future-dated orders reached staging")
    named = [q for q in quarantined if q[0] == path.name and q[1] == at + 1]
    if len(quarantined) != 1 or not named:
        outcome.unclear.append(f"quarantine does not name {path.name} line {at + 1}: {quarantined}")
    outcome.note = (
        f"gate passes ({first.rows_removed} row moved to raw.quarantined_rows: "
        f"{'; '.join(f'{f} line {n}, {e} = {v}' for f, n, e, v in quarantined)}); the next "
        f"run's gate passes, {second.rows_removed} moved; staging {staged} of "
        f"{baseline['staged_orders']} orders"
    )
    return outcome


def run_bi_reader(root: Path, clean_database: Path) -> Outcome:
    """A process that holds a read-only connection to the published file across two publishes:
    each new connection it opens sees the newest build, the held one keeps its own, whole."""
    from publish.marts_snapshot import publish_marts

    outcome = Outcome("BI reader holding a connection across a publish")
    target = root / "published" / "rox_marts.duckdb"
    database = root / "rox.duckdb"
    shutil.copy(clean_database, database)
    builds = []
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        for generation in (1, 2, 3):
            # A new build: one more month of orders in the mart than the one before.
            con.execute(
                "create or replace table marts.orders_by_month as select "
                "date_trunc('month', cast(effective_date as date)) as month, count(*) as orders "
                f"from {ORDERS} group by 1 order by 1 limit {10 + generation}"
            )
            builds.append(publish_marts(con, target, f"fault-run-{generation}"))
            if generation == 1:
                held = duckdb.connect(str(target), read_only=True)
                held_version = _published_version(held)
            with duckdb.connect(str(target), read_only=True) as fresh:
                seen = (_published_version(fresh), _months(fresh))
            if seen != (builds[-1].version, 10 + generation):
                outcome.unclear.append(
                    f"publish {generation}: a new connection saw {seen}, not the new build "
                    f"{builds[-1].version} with {10 + generation} months"
                )
    still = (_published_version(held), _months(held))
    held.close()
    if still != (held_version, 11):
        outcome.unclear.append(f"the held connection changed under the reader: {still}")
    outcome.note = (
        f"{len(builds)} publishes; every new connection in the reader's process saw the newest "
        f"build; the connection held since the first kept its build ({still[1]} months)"
        if not outcome.unclear
        else "; ".join(outcome.unclear)
    )
    return outcome


def _published_version(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select distinct version from main._published").fetchone()[0]


def _months(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from marts.orders_by_month").fetchone()[0]


def run_killed_run(root: Path, clean_landing: Path, baseline: dict, step: str) -> Outcome:
    """`dagster asset materialize` of the raw orders, their gate and dbt staging, SIGKILLed once
    `step` holds the warehouse pool's slot; then the same materialisation again, unattended.
    Clean when the next run completes, the dead run is marked failed with its reason, and raw
    and staging hold the baseline's rows."""
    import dagster as dg

    from orchestration.resources import WAREHOUSE_POOL

    outcome = Outcome(f"killed run (SIGKILL in step {step})")
    home = root / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(REPO_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    warehouse = root / "warehouse" / "rox.duckdb"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ROX_WAREHOUSE": str(warehouse),
        "ROX_LANDING_DIR": str(clean_landing),
        "ROX_ARCHIVE_DIR": str(root / "archive"),
        "ROX_RAW_PARQUET_DIR": str(root / "warehouse" / "parquet" / "raw"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "DO_NOT_TRACK": "1",
    }
    killed_in = None
    run = _materialize(env, root / "killed.log")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    with dg.DagsterInstance.from_config(str(home)) as instance:
        while run.poll() is None and time.monotonic() < deadline and killed_in is None:
            claimed = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
            if any(s.step_key == step for s in claimed):
                time.sleep(0.5 if step.startswith("dbt") else 0)  # inside dbt, not at its start
                os.killpg(run.pid, signal.SIGKILL)
                killed_in = step
            time.sleep(0.05)
    run.wait()
    if killed_in is None:
        outcome.unclear.append(f"the run ended before step {step} held the slot: not killed")
        outcome.note = outcome.unclear[0]
        return outcome
    started = time.monotonic()
    following = _materialize(env, root / "next.log")
    try:
        following.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(following.pid, signal.SIGKILL)
        following.wait()
    took = time.monotonic() - started
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(ascending=True)
        statuses = [r.dagster_run.status.value for r in records]
        reason = "\n".join(
            e.message
            for e in instance.all_logs(
                records[0].dagster_run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
            )
        )
        left = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
    if following.returncode != 0:
        tail = (root / "next.log").read_text()[-400:]
        outcome.unclear.append(f"the next run did not complete in {took:.0f} s: {tail}")
    if "killed or crashed" not in reason:
        outcome.unclear.append(f"the dead run's failure gives no reason: {reason[:200]!r}")
    if left:
        outcome.unclear.append(f"slots still claimed: {[s.run_id for s in left]}")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = table_sums(con, ("raw",)).get(ORDERS, (0, ""))
        staged = con.execute(f"select count(*) from {STAGED_ORDERS}").fetchone()[0]
    want, want_staged = baseline[ORDERS][0], baseline["staged_orders"]
    outcome.rows_lost = max(0, want - raw[0]) + max(0, want_staged - staged)
    outcome.rows_duplicated = max(0, raw[0] - want) + max(0, staged - want_staged)
    if raw != baseline[ORDERS]:
        outcome.unclear.append("raw orders differ in content from the baseline")
    outcome.note = (
        f"runs: {' then '.join(statuses)}; the next run completed in {took:.0f} s without manual "
        f"steps; the dead run's reason: {reason.splitlines()[0][:90] if reason else '-'}"
    )
    return outcome


def _materialize(env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "dagster"), "asset", "materialize",
        "-m", "orchestration.definitions", "--select", KILLED_RUN_SELECTION,
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=env, cwd=REPO_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def run_full_disk(root: Path, clean_landing: Path, baseline: dict) -> Outcome:
    """The archive disk fills up during a load (a real, small tmpfs: needs root): the load stops
    with an error that says so, nothing is half loaded, and once space is freed the retried load
    brings in every row."""
    from ingest.file_loads import DiskFullError

    outcome = Outcome("full disk while archiving")
    archive = root / "archive"
    archive.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(archive)], capture_output=True
    )
    if mounted.returncode != 0:
        outcome.note = (
            f"not run: mounting a small tmpfs needs root ({mounted.stderr.decode()[:80]})"
        )
        return outcome
    try:
        # Leave room for the first exports only: the filler is what the operator deletes.
        filler = archive / "filler"
        free = shutil.disk_usage(archive).free
        filler.write_bytes(b"\0" * max(0, free - 150_000))
        database = root / "rox.duckdb"
        with duckdb.connect(str(database)) as con:
            try:
                load_all(con, clean_landing, archive)
                error = None
            except DiskFullError as err:
                error = str(err)
            partial = table_sums(con, ("raw",))
        filler.unlink()  # space freed; the step's retry loads again
        with duckdb.connect(str(database)) as con:
            load_all(con, clean_landing, archive)
            sums = table_sums(con, ("raw",))
    finally:
        subprocess.run(["umount", str(archive)], check=False)
    if error is None or "disk full" not in error:
        outcome.unclear.append(f"the load did not report a full disk: {error!r}")
    for table, sums_wanted in baseline.items():
        if not table.startswith("raw.") or table in ("raw.load_log", "raw.pseudonym_salt"):
            continue
        count, digest = sums_wanted
        have, have_digest = sums.get(table, (0, ""))
        outcome.rows_lost += max(0, count - have)
        outcome.rows_duplicated += max(0, have - count)
        if have == count and have_digest != digest:
            outcome.unclear.append(f"{table} differs in content after the retry")
    tables_before = sum(1 for t, (n, _) in partial.items() if n and t in baseline)
    outcome.note = (
        f"first load: {error.split(' Cause:')[0]}; {tables_before} raw tables had rows before "
        "the failure; after freeing space the retried load matches the baseline"
        if error and not (outcome.rows_lost or outcome.rows_duplicated)
        else "; ".join(outcome.unclear)
    )
    return outcome
