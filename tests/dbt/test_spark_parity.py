"""The same dbt models on Spark (dbt-spark, local session) give the same tables as on DuckDB.

Every model materialised as a table (intermediate and marts, including later marts such as
rox_score) is compared row by row: integers, decimals, strings, dates and booleans exactly,
floating-point columns to a relative tolerance of 1e-9.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.parquet_export import export_table_parquet
from tests.helpers import build_warehouse, dbt_manifest_path, load_demo_raw, run_dbt

pytestmark = pytest.mark.spark

FLOAT_RTOL = 1e-9
INCREMENTAL_WINDOW = "{min_date: 2026-09-20, max_date: 2026-10-10}"


@pytest.fixture(scope="module")
def both_engines(small_demo, dbt_manifest, tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("java") is None:
        pytest.fail("the Spark parity test needs Java 17 (Debian: openjdk-17-jre-headless)")
    root = tmp_path_factory.mktemp("spark_parity")
    warehouse, parquet, spark_dir = root / "rox.duckdb", root / "parquet", root / "spark"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(warehouse))
        mp.setenv("ROX_RAW_PARQUET_DIR", str(parquet))
        mp.setenv("ROX_SPARK_WAREHOUSE_DIR", str(spark_dir))
        load_demo_raw(warehouse, small_demo, root / "archive")
        with duckdb.connect(str(warehouse)) as con:
            raw_tables = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'raw'"
                ).fetchall()
            ]
            for table in raw_tables:
                export_table_parquet(con, "raw", table, parquet)
        # On DuckDB as the pipeline runs it, with the Python assets dbt reads (text signals,
        # metric catalogue, CLV) in between; they write their Parquet copies for Spark, which
        # then builds every model in one go from the same inputs.
        on_duckdb = build_warehouse()
        assert on_duckdb.returncode == 0, on_duckdb.stdout[-4000:]
        on_spark = run_dbt("build", "--target", "spark")
        assert on_spark.returncode == 0, on_spark.stdout[-6000:]
        assert "ERROR=0" in on_spark.stdout and "unit_test" in on_spark.stdout
        # An incremental run over a date window: delete+insert on DuckDB, insert_overwrite of
        # the window's partitions on Spark; both must leave the same table as the full build.
        for target in ("duckdb", "spark"):
            window = run_dbt(
                "run", "--target", target, "--select", "config.materialized:incremental",
                "--vars", INCREMENTAL_WINDOW,
            )  # fmt: skip
            assert window.returncode == 0, window.stdout[-4000:]
            assert "incremental" in window.stdout
    return warehouse, spark_dir


def _tables(warehouse: Path) -> list[tuple[str, str]]:
    """The dbt models built as tables (the Python marts beside them are not dbt's to build)."""
    manifest = json.loads(dbt_manifest_path().read_text())
    models = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "view"
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE' "
            "order by 1, 2"
        ).fetchall()
    return [(schema, table) for schema, table in tables if table in models]


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a stable order (floats rounded for sorting only) and a fresh index."""
    keys = frame.copy()
    for column in keys.columns:
        if pd.api.types.is_float_dtype(keys[column]):
            keys[column] = keys[column].round(6)
        keys[column] = keys[column].astype(str)
    order = keys.sort_values(list(keys.columns)).index
    return frame.loc[order].reset_index(drop=True)


def _spark_rows(con: duckdb.DuckDBPyConnection, spark_dir: Path, schema: str, table: str) -> int:
    """Rows of a Spark table, read from its Parquet files (partition folders included)."""
    files = str(spark_dir / f"{schema}.db" / table / "**" / "*.parquet")
    try:
        return con.execute("select count(*) from read_parquet(?)", [files]).fetchall()[0][0]
    except duckdb.IOException:
        return 0


def test_marts_exist_on_both_engines(both_engines) -> None:
    warehouse, spark_dir = both_engines
    tables = _tables(warehouse)
    assert ("marts", "business_kpis") in tables
    assert ("intermediate", "int_orders_daily") in tables
    assert {("marts", "metric_values"), ("intermediate", "int_customer_touchpoint_scores")} <= set(
        tables
    )
    with duckdb.connect() as con:
        missing = [f"{s}.{t}" for s, t in tables if not _spark_rows(con, spark_dir, s, t)]
    assert not missing, f"built on DuckDB but not on Spark: {missing}"


def test_every_table_is_equal_row_by_row(both_engines) -> None:
    warehouse, spark_dir = both_engines
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema, table in _tables(warehouse):
            on_duckdb = con.execute(f"select * from {schema}.{table}").df()
            # Partitioned tables keep their partition column in the folder names (hive style).
            files = str(spark_dir / f"{schema}.db" / table / "**" / "*.parquet")
            on_spark = con.execute(
                "select * from read_parquet(?, hive_partitioning = true)", [files]
            ).df()
            assert sorted(on_spark.columns) == sorted(on_duckdb.columns), table
            assert len(on_spark) == len(on_duckdb) > 0, table
            pd.testing.assert_frame_equal(
                _canonical(on_spark[on_duckdb.columns]),
                _canonical(on_duckdb),
                check_dtype=False,
                check_exact=False,
                rtol=FLOAT_RTOL,
                obj=f"{schema}.{table} (Spark vs DuckDB)",
            )
