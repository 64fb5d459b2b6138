"""The daily facts' date window (`--vars min_date/max_date`) is validated before any SQL runs."""

from __future__ import annotations

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
