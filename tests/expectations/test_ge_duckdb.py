"""GE's SQL execution engine on DuckDB: GE 1.24's own engine returns nothing there, the fixed
one (expectations/ge_duckdb.py) counts right, next to an open connection too, and counts rows
with a null in a compound key as duplicates (as GE's pandas engine does)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from expectations.runner import import_great_expectations, run_suite, validate_table
from expectations.spec import not_null, unique_together


@pytest.fixture
def database(tmp_path) -> Path:
    """Ten rows; v is null where i % 4 == 0 (i = 0, 4, 8)."""
    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.t as select i as id, nullif(i % 4, 0) as v from range(10) r(i)"
        )
    return path


def _context():
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def _not_null_v(gx, source):
    batch = (
        source.add_query_asset(name="t", query="select * from raw.t")
        .add_batch_definition_whole_table("all")
        .get_batch()
    )
    try:
        return batch.validate(
            gx.expectations.ExpectColumnValuesToNotBeNull(column="v"), result_format="SUMMARY"
        )
    finally:
        source.get_execution_engine().close()
        source.get_engine().dispose()


def test_ge_s_own_sql_engine_loses_every_result_on_duckdb(database) -> None:
    """The bug the fix is for: the cursor result is read after the connection went back to the
    pool, which drops it. When a GE release fixes this, this test fails: drop the fix."""
    gx, context = _context()
    source = context.data_sources.add_sql(name="plain", connection_string=f"duckdb:///{database}")
    result = _not_null_v(gx, source)
    assert not result.success
    assert result.result.get("unexpected_count") is None
    assert "list index out of range" in str(result.exception_info)


def test_the_fixed_engine_counts_the_unexpected_rows(database) -> None:
    from expectations.ge_duckdb import register

    gx, context = _context()
    register()
    source = context.data_sources.add_duckdb(name="w", connection_string=f"duckdb:///{database}")
    assert type(source.get_execution_engine()).__name__ == "DuckDBExecutionEngine"
    result = _not_null_v(gx, source)
    assert not result.success
    assert result.result["element_count"] == 10 and result.result["unexpected_count"] == 3
    # The fix is scoped to its datasource: a plain SQL datasource keeps GE's engine.
    plain = context.data_sources.add_sql(name="plain", connection_string=f"duckdb:///{database}")
    assert type(plain.get_execution_engine()).__name__ == "SqlAlchemyExecutionEngine"
    plain.get_engine().dispose()


def test_validates_through_a_check_s_open_read_write_connection(database) -> None:
    """A Dagster check holds DuckDBResource's read-write connection while it validates; GE
    gets cursors of it (duckdb-engine opening the file again would fail)."""
    with duckdb.connect(str(database)) as con:
        (outcome,) = validate_table(con, "raw.t", [not_null("v")], "s").results
        assert outcome.unexpected_count == 3 and outcome.sample_values == ["null"] * 3
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            duckdb.connect(str(database), config={"custom_user_agent": "duckdb_engine"})
        # The connection is the caller's still, and usable.
        assert con.execute("select count(*) from raw.t").fetchall() == [(10,)]


def test_compound_uniqueness_counts_rows_with_a_null_in_the_key() -> None:
    """GE's generic SQL joins group counts back on `key = key`, which drops null keys; the
    DuckDB metric counts (a, null) twice as a duplicate, as pandas' `duplicated()` does."""
    with duckdb.connect() as con:
        con.execute(
            "create table r as select * from (values ('a', null), ('a', null), ('b', 1), "
            "('b', 2)) t(k, v)"
        )
        ((result,), rows) = run_suite(con, "select * from r", [unique_together("k", "v")], "s")
    assert rows == 4
    assert result.result["unexpected_count"] == 2
