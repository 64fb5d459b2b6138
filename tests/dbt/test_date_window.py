"""The daily facts' date window (`--vars min_date/max_date`): validated before any SQL runs, and
what a daily run's tests read."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.helpers import run_dbt, table_row_counts


def test_dbt_date_vars_are_validated_before_any_sql(built_small_warehouse) -> None:
    with duckdb.connect(str(built_small_warehouse), read_only=True) as con:
        before = table_row_counts(con)
        orders = con.execute("select * from intermediate.int_orders_daily order by all").fetchall()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(built_small_warehouse))
        result = run_dbt(
            "run",
            "--select",
            "int_orders_daily",
            "--vars",
            '{min_date: "2026-01-01\'; drop table raw.load_log; --", max_date: 2026-01-02}',
        )
    assert result.returncode != 0
    assert "var min_date must be a date YYYY-MM-DD" in result.stdout
    with duckdb.connect(str(built_small_warehouse), read_only=True) as con:
        after = con.execute("select * from intermediate.int_orders_daily order by all").fetchall()
        assert table_row_counts(con) == before
    assert after == orders


def test_a_daily_run_tests_the_dates_it_rebuilt(built_small_warehouse, tmp_path) -> None:
    """The daily facts' tests read the run's window (macros/test_window.sql): a day outside it
    is not tested again, a day inside it is, and without vars every day is."""
    import shutil

    database = tmp_path / "rox.duckdb"
    shutil.copyfile(built_small_warehouse, database)
    with duckdb.connect(str(database)) as con:
        (day,) = con.execute("select min(order_date) from intermediate.int_orders_daily").fetchone()
        con.execute(
            "insert into intermediate.int_orders_daily select * from intermediate.int_orders_daily "
            "where order_date = ?",
            [day],
        )
    later = {"min_date": "2026-10-30", "max_date": "2026-10-31"}
    that_day = {"min_date": day.isoformat(), "max_date": day.isoformat()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(database))
        outside = run_dbt("test", "--select", "int_orders_daily", "--vars", json.dumps(later))
        inside = run_dbt("test", "--select", "int_orders_daily", "--vars", json.dumps(that_day))
        everything = run_dbt("test", "--select", "int_orders_daily")
    assert outside.returncode == 0, outside.stdout[-2000:]
    assert inside.returncode != 0 and "FAIL 1 unique_int_orders_daily_order_date" in inside.stdout
    assert everything.returncode != 0 and "FAIL 1 unique_int_orders_daily_order_date" in (
        everything.stdout
    )
