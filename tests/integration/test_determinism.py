"""A rebuild of identical data gives identical marts, all of them (issue #26): the seeded
resampling of the Python marts (the drivers' bootstrap, ROX's Poisson bootstrap over customers)
and their ranks read every input in a fixed order, whatever order the engine stored it in."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.helpers import build_warehouse, load_demo_raw, table_checksum

PYTHON_MARTS = ("clv_marts", "driver_marts", "okr_marts", "rox_marts")
# Which run wrote a row, and when: the rest of every mart must be equal.
RUN_COLUMNS = frozenset({"run_id", "computed_at"})


def _build(root: Path, small_demo, *, shuffle: bool) -> Path:
    """The demo's warehouse built end to end under `root`; `shuffle` rewrites every table the
    Python marts read in a random row order before they run."""
    from orchestration.definitions import build_definitions

    warehouse = root / "rox.duckdb"
    load_demo_raw(warehouse, small_demo, root / "archive")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(warehouse))
        mp.setenv("ROX_RAW_PARQUET_DIR", str(root / "parquet"))
        built = build_warehouse()
        assert built.returncode == 0, built.stdout[-3000:]
        if shuffle:
            _shuffle_tables(warehouse)
        defs = build_definitions()
        python_marts = [a for a in defs.assets if getattr(a, "node_def", None) is not None]
        result = dg.materialize(
            [a for a in python_marts if a.node_def.name in PYTHON_MARTS],
            resources=defs.resources,
            instance=dg.DagsterInstance.ephemeral(),
        )
    assert result.success
    return warehouse


def _shuffle_tables(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("select setseed(0.25)")
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('config', 'intermediate', 'marts') "
            "and table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create or replace table {table} as from {table} order by random()")


def test_a_rebuild_of_the_same_data_gives_the_same_marts(small_demo, dbt_manifest, tmp_path):
    first = _build(tmp_path / "first", small_demo, shuffle=False)
    second = _build(tmp_path / "second", small_demo, shuffle=True)
    sums = []
    for warehouse in (first, second):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            marts = [
                t
                for (t,) in con.execute(
                    "select 'marts.' || table_name from information_schema.tables "
                    "where table_schema = 'marts' order by 1"
                ).fetchall()
            ]
            sums.append({t: table_checksum(con, t, skip=RUN_COLUMNS) for t in marts})
    assert {"marts.driver_importance", "marts.rox_by_initiative", "marts.action_priorities"} <= (
        set(sums[0])
    )
    assert sums[0]["marts.driver_importance"][0] > 0 and sums[0]["marts.rox_score"][0] > 0
    differ = sorted(t for t in sums[0] if sums[0][t] != sums[1].get(t))
    assert differ == [], differ
