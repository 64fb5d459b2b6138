"""The table-level gates and ratio expectations: reference ratios with thresholds, personal data,
row-count change, freshness, and the offline validation page of a failure."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

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
