"""Daily partitions of the date-keyed facts: a run rebuilds its day, a backfill of a range equals
the daily runs it replaces, and re-running is idempotent."""

from __future__ import annotations

import hashlib

import dagster as dg
import duckdb
import pytest

from orchestration.partitions import daily_partitions, partition_window_vars
from tests.helpers import load_demo_raw, run_dbt

pytestmark = pytest.mark.e2e

DAILY_TABLES = {
    "int_orders_daily": "order_date",
    "int_tickets_daily": "created_date",
    "int_survey_answers_daily": "recorded_date",
    "int_reviews_daily": "created_date",
}
DAYS = ["2026-03-10", "2026-03-11", "2026-03-12"]


def _checksums(warehouse) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content checksum of each daily table."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in DAILY_TABLES:
            rows = con.execute(f"select * from intermediate.{table}").fetchall()
            digest = hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()
            out[table] = (len(rows), digest)
    return out


def _forget_days(warehouse) -> int:
    with duckdb.connect(str(warehouse)) as con:
        removed = 0
        for table, column in DAILY_TABLES.items():
            removed += con.execute(
                f"delete from intermediate.{table} where {column} between ? and ?",
                [DAYS[0], DAYS[-1]],
            ).fetchall()[0][0]
    return removed


def _run(job: dg.JobDefinition, **kwargs) -> None:
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), **kwargs)
    assert result.success


def test_partition_window_vars_cover_the_window_inclusively() -> None:
    window = daily_partitions.time_window_for_partition_key("2026-03-10")
    assert partition_window_vars(window) == {"min_date": "2026-03-10", "max_date": "2026-03-10"}
    keys = daily_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(DAYS[0], DAYS[-1]))
    assert keys == DAYS


def test_a_backfill_of_three_days_equals_three_daily_runs(
    small_demo, dbt_manifest, warehouse_env, tmp_path
) -> None:
    from orchestration.resources import build_resources
    from orchestration.transform.assets import daily_fact_assets

    load_demo_raw(warehouse_env, small_demo, tmp_path / "archive")
    parents = run_dbt("run", "--select", "+tag:daily", "--exclude", "tag:daily")
    assert parents.returncode == 0, parents.stdout
    defs = dg.Definitions(
        assets=[daily_fact_assets],
        jobs=[dg.define_asset_job("daily_facts", partitions_def=daily_partitions)],
        resources=build_resources(),
    )
    job = defs.resolve_job_def("daily_facts")
    _run(job, partition_key=DAYS[-1])  # first build: every date
    clean = _checksums(warehouse_env)
    assert all(rows > 0 for rows, _ in clean.values())

    assert _forget_days(warehouse_env) > 0
    for day in DAYS:
        _run(job, partition_key=day)
    assert _checksums(warehouse_env) == clean

    assert _forget_days(warehouse_env) > 0
    backfill = {
        "dagster/asset_partition_range_start": DAYS[0],
        "dagster/asset_partition_range_end": DAYS[-1],
    }
    _run(job, tags=backfill)
    assert _checksums(warehouse_env) == clean
    _run(job, tags=backfill)  # idempotent
    assert _checksums(warehouse_env) == clean
