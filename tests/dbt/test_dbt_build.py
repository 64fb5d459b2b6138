"""`dbt build` straight from the CLI on a loaded warehouse: models, data tests and unit tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd

from tests.helpers import build_warehouse, load_demo_raw, run_dbt

PERSONAL_COLUMN = re.compile(r"(email|first_name|last_name|phone|requester$|^name$)")


def test_dbt_build_passes_and_keeps_personal_data_out(small_demo, warehouse_env, tmp_path) -> None:
    load_demo_raw(warehouse_env, small_demo, tmp_path / "archive")
    result = build_warehouse()
    assert result.returncode == 0, result.stdout[-4000:]
    assert "ERROR=0" in result.stdout and "unit_test" in result.stdout

    with duckdb.connect(str(warehouse_env), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            "where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
        leaked = [c for c in columns if PERSONAL_COLUMN.search(c[2])]
        assert not leaked, leaked
        for schema, table, column, data_type in columns:
            if data_type == "VARCHAR":
                hits = con.execute(
                    f"select count(*) from {schema}.{table} "
                    f"where regexp_matches({column}, '[^@ ]+@[^@ ]+[.][a-z]+')"
                ).fetchall()[0][0]
                assert hits == 0, f"email-like values in {schema}.{table}.{column}"
        staged = con.execute("select count(*) from staging.stg_salesforce__orders").fetchall()[0][0]
        keys = con.execute(
            "select customer_key from staging.stg_salesforce__accounts limit 1"
        ).fetchall()[0][0]

    exported = pd.concat(pd.read_csv(p) for p in small_demo.crm.glob("salesforce_orders*.csv"))
    assert len(exported) > exported["Id"].nunique(), "the demo exports should overlap"
    assert staged == exported["Id"].nunique()
    assert re.fullmatch(r"[0-9a-f]{64}", keys)
    _source_freshness_agrees_with_the_dagster_checks(warehouse_env)


def _source_freshness_agrees_with_the_dagster_checks(warehouse: Path) -> None:
    """`dbt source freshness` passes on a fresh load, with the Dagster checks' limits, and
    fails a daily source whose newest load is older than the blocking limit."""
    from orchestration.quality import freshness, gates

    done = run_dbt("source", "freshness")
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((warehouse.parent / "dbt_target" / "sources.json").read_text())["results"]
    limits = {
        r["unique_id"].split(".")[-1]: (
            r["criteria"]["warn_after"]["count"],
            r["criteria"]["error_after"]["count"],
        )
        for r in results
    }
    assert {r["status"] for r in results} == {"pass"}
    hours = lambda delta: int(delta.total_seconds() // 3600)  # noqa: E731
    daily = (hours(freshness.DAILY_THRESHOLD), hours(gates.DAILY_LOAD_AGE))
    weekly = (hours(freshness.WEEKLY_THRESHOLD), hours(gates.WEEKLY_LOAD_AGE))
    assert limits["salesforce_orders"] == limits["zendesk_tickets"] == daily
    assert limits["survey_answers"] == limits["trustpilot_reviews"] == weekly
    assert limits["app_store_reviews"] == limits["google_play_reviews"] == weekly
    assert "text_signals" not in limits and "ledger_initiatives" not in limits

    stale = hours(gates.DAILY_LOAD_AGE) + 2
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.salesforce_orders set "
            f"_loaded_at = cast(now() as timestamp) - interval {stale} hour"
        )
    done = run_dbt("source", "freshness", "--select", "source:raw.salesforce_orders")
    assert done.returncode == 1, done.stdout[-3000:]
    (result,) = json.loads((warehouse.parent / "dbt_target" / "sources.json").read_text())[
        "results"
    ]
    assert result["status"] == "error" and result["unique_id"].endswith("salesforce_orders")


def test_keys_depend_on_the_salt(small_demo, warehouse_env, tmp_path) -> None:
    load_demo_raw(warehouse_env, small_demo, tmp_path / "archive", salt="one")
    assert run_dbt("run", "--select", "stg_salesforce__accounts").returncode == 0
    with duckdb.connect(str(warehouse_env)) as con:
        first = con.execute(
            "select min(customer_key) from staging.stg_salesforce__accounts"
        ).fetchall()
        con.execute("update raw.pseudonym_salt set salt = 'two'")
        second = con.execute(
            "select min(customer_key) from staging.stg_salesforce__accounts"
        ).fetchall()
    assert first != second
