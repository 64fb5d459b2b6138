"""The staging and mart gates: ratio expectations, personal data, row-count change, freshness,
the offline validation page, and the blocking checks that carry them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from expectations.html_page import render_validation_page
from expectations.runner import validate_table
from expectations.spec import references
from expectations.table_checks import (
    RowCountBounds,
    freshness_outcome,
    personal_data_outcomes,
    row_count_change_outcome,
)


@pytest.fixture
def con():
    with duckdb.connect() as con:
        con.execute("create schema staging")
        con.execute("create schema marts")
        con.execute(
            "create table staging.accounts as select 'c' || i as customer_key from range(100) t(i)"
        )
        yield con


def _orders(con, orphans: int) -> None:
    con.execute(
        "create or replace table staging.orders as "
        "select 'o' || i as order_id, 'c' || (i % 100) as customer_key from range(200) t(i) "
        f"union all select 'x' || i, 'ghost' || i from range({orphans}) t(i) "
        "union all select 'n', null"
    )


def test_a_reference_ratio_above_its_threshold_passes_and_reports_the_share(con) -> None:
    _orders(con, orphans=1)
    expect = references("customer_key", "staging.accounts", at_least=0.99)
    outcome = validate_table(con, "staging.orders", [expect], "staging")
    assert outcome.success
    (result,) = outcome.results
    # 200 of 201 non-null keys are known; the null key is not counted.
    assert result.observed == f"{200 / 201:.4f} of 201"
    assert result.expectation == "share of customer_key in staging.accounts.customer_key >= 0.99"


def test_a_reference_ratio_below_its_threshold_fails_with_the_missing_keys(con) -> None:
    _orders(con, orphans=10)
    expect = references("customer_key", "staging.accounts", at_least=0.99)
    (result,) = validate_table(con, "staging.orders", [expect], "staging").results
    assert not result.success
    assert result.observed == f"{200 / 210:.4f} of 210"
    assert result.unexpected_count == 10
    assert result.sample_values and all(v.startswith("ghost") for v in result.sample_values)


def test_a_reference_ratio_only_counts_the_rows_it_applies_to(con) -> None:
    con.execute(
        "create table staging.answers as select * from (values "
        "('customer', 'c1'), ('customer', 'c2'), ('employee', 'e1'), ('employee', 'e2')) "
        "t(kind, customer_key)"
    )
    expect = references("customer_key", "staging.accounts", at_least=1, where="kind = 'customer'")
    (result,) = validate_table(con, "staging.answers", [expect], "staging").results
    assert result.success and result.observed == "1.0000 of 2"


def test_personal_data_gate_passes_pseudonymous_marts(con) -> None:
    con.execute(
        "create table marts.initiatives as select 'Checkout redesign' as initiative_name, "
        "'abc123' as customer_key, 'ops@' as touchpoint_label, 3 as n"
    )
    names, values = personal_data_outcomes(con, "marts.initiatives")
    assert names.success and values.success
    assert names.observed == "4 columns checked"
    assert values.observed == "3 string columns scanned"


def test_personal_data_gate_fails_on_an_email_column_and_masks_the_address(con) -> None:
    con.execute(
        "create table marts.leaky as select * from (values "
        "('a', 'rosa.vogel.83@example.net', 'Rosa Vogel'), ('b', null, 'x'), "
        "('c', 'write to max@example.org today', 'y')) t(segment, note, customer_name)"
    )
    names, values = personal_data_outcomes(con, "marts.leaky")
    assert not names.success and names.sample_values == ["customer_name"]
    assert not values.success and values.unexpected_count == 2
    assert "found in note" in values.observed
    assert values.sample_values == ["note: r***@example.net"]


def test_row_count_change_within_bounds_and_without_a_previous_run() -> None:
    first = row_count_change_outcome(1_000, None)
    assert first.success and "no previous run" in first.observed
    assert row_count_change_outcome(600, 1_000).success
    assert row_count_change_outcome(9_000, 1_000).success
    assert row_count_change_outcome(10, 0).success


def test_row_count_change_outside_bounds_fails_with_the_counts() -> None:
    shrunk = row_count_change_outcome(400, 1_000)
    assert not shrunk.success and shrunk.observed == "400 rows, previous 1,000 (x0.4)"
    assert shrunk.unexpected_count == 600
    grown = row_count_change_outcome(11_000, 1_000)
    assert not grown.success and "x11" in grown.observed
    assert row_count_change_outcome(11_000, 1_000, RowCountBounds(max_growth=20)).success


def test_freshness_of_loaded_rows(con) -> None:
    now = dt.datetime(2026, 11, 22, 12, 0)
    con.execute("create table staging.loads (_loaded_at timestamp)")
    assert freshness_outcome(con, "staging.loads", dt.timedelta(hours=48), now=now).success
    con.execute("insert into staging.loads values ('2026-11-21 08:00:00')")
    fresh = freshness_outcome(con, "staging.loads", dt.timedelta(hours=48), now=now)
    assert fresh.success and fresh.observed == "newest 2026-11-21 08:00 UTC, 28.0 h old"
    stale = freshness_outcome(con, "staging.loads", dt.timedelta(hours=24), now=now)
    assert not stale.success


def test_the_validation_page_is_self_contained(con) -> None:
    _orders(con, orphans=10)
    expect = references("customer_key", "staging.accounts", at_least=0.99)
    outcome = validate_table(con, "staging.orders", [expect], "staging")
    page = render_validation_page(outcome, "run-1")
    assert "share of customer_key in staging.accounts.customer_key &gt;= 0.99" in page
    assert "FAIL" in page and "ghost" in page and "run-1" in page
    assert "http:" not in page and "https:" not in page and "//" not in page
    assert "<script" not in page and "<link" not in page and "src=" not in page


def test_every_staging_model_and_mart_has_a_suite(dbt_manifest) -> None:
    import json

    from expectations.marts import MARTS_SUITE
    from expectations.staging import STAGING_SUITE
    from orchestration.assets.marts_index import mart_asset_keys

    assert sorted(MARTS_SUITE) == [k.path[1] for k in mart_asset_keys()]
    manifest = json.loads(dbt_manifest.read_text())
    staging = sorted(
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1:2] == ["staging"]
    )
    assert sorted(STAGING_SUITE) == staging


def _run_mart_gate(
    warehouse: Path, instance: dg.DagsterInstance, create_sql: str
) -> dg.ExecuteInProcessResult:
    """Materialise a stand-in `marts/rox_by_initiative` with `create_sql` and run its gate."""
    from orchestration.checks.suites import mart_suite_checks

    key = dg.AssetKey(["marts", "rox_by_initiative"])
    gate = next(c for c in mart_suite_checks if {k.asset_key for k in c.check_keys} == {key})

    @dg.asset(key=["marts", "rox_by_initiative"])
    def stand_in(duckdb: DuckDBResource) -> None:
        with duckdb.get_connection() as con:
            con.execute("create schema if not exists marts")
            con.execute(f"create or replace table marts.rox_by_initiative as {create_sql}")

    return dg.materialize(
        [stand_in, gate],
        instance=instance,
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
        raise_on_error=False,
    )


MART_ROWS = (
    "select 'INI-' || i as initiative_id, 'Initiative ' || i as initiative_name, "
    "800.0 as cost_per_month_eur, 3 as months_live, 2400.0 as investment_to_date_eur "
    "from range({n}) t(i)"
)


def test_a_mart_with_an_email_fails_its_blocking_gate_and_writes_a_page(tmp_path) -> None:
    warehouse = tmp_path / "rox.duckdb"
    leaky = MART_ROWS.format(n=3).replace(
        "as initiative_name,", "as initiative_name, 'ceo@example.com' as owner_email,"
    )
    result = _run_mart_gate(warehouse, dg.DagsterInstance.ephemeral(), leaky)
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    failed = evaluation.metadata["failed_expectations"].value
    assert failed == [
        "no personal-data column names (email, names, phone, IP)",
        "no email addresses in string columns",
    ]
    page = Path(evaluation.metadata["validation_page"].value)
    assert page.parent == tmp_path / "validation"
    assert page.name == f"marts__rox_by_initiative__{result.run_id}.html"
    assert "owner_email" in page.read_text() and "ceo@example.com" not in page.read_text()


def test_the_row_count_gate_compares_with_the_previous_successful_run(tmp_path) -> None:
    warehouse, instance = tmp_path / "rox.duckdb", dg.DagsterInstance.ephemeral()
    first = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=10))
    (evaluation,) = first.get_asset_check_evaluations()
    assert evaluation.passed and "previous_rows_validated" not in evaluation.metadata
    assert "no previous run" in evaluation.metadata["result"].value
    assert not (tmp_path / "validation").exists()

    second = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=4))
    (evaluation,) = second.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["previous_rows_validated"].value == 10
    assert "4 rows, previous 10 (x0.4)" in evaluation.metadata["result"].value

    # A failed run is not the baseline: the next run still compares with the 10 rows.
    third = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=8))
    (evaluation,) = third.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["previous_rows_validated"].value == 10
