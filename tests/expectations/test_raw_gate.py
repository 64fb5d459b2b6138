"""A raw gate validates the batches it has not passed yet and moves bad rows to quarantine,
named by file and line; more than a few bad rows block instead."""

from __future__ import annotations

import duckdb
import pytest

from expectations.quarantine import QUARANTINE_MAX_ROWS
from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
from expectations.raw_gate import validate_new_rows
from expectations.scope import FILE_BATCHES
from expectations.spec import at_least
from ingest.crm import SALESFORCE_ORDERS
from ingest.csv_loader import load_csv_source
from tests.helpers import land_orders, order_line

SUITE = RAW_CRM_SUITE["salesforce_orders"]


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "rox.duckdb")) as con:
        yield con


def load(con, tmp_path) -> None:
    load_csv_source(con, SALESFORCE_ORDERS, tmp_path / "landing", tmp_path / "archive")


def gate(con, run_id: str = "run-1"):
    return validate_new_rows(
        con, "raw.salesforce_orders", SUITE, SUITE_NAME, FILE_BATCHES, run_id=run_id
    )


def test_a_run_validates_the_files_not_validated_yet(con, tmp_path) -> None:
    land_orders(
        tmp_path / "landing", "salesforce_orders_a.csv", [order_line(i) for i in range(100)]
    )
    load(con, tmp_path)
    first = gate(con)
    assert first.success and first.outcome.rows == 100
    assert "100 rows of 1 new batch" in first.outcome.scope
    again = gate(con, "run-2")  # a re-run of the same day: nothing new
    assert again.success and again.outcome.rows == 0 and again.outcome.results == []
    land_orders(
        tmp_path / "landing", "salesforce_orders_b.csv", [order_line(i) for i in range(100, 110)]
    )
    load(con, tmp_path)
    assert gate(con, "run-3").outcome.rows == 10
    log = con.execute(
        "select run_id, rows_validated from raw.validated_batches order by run_id"
    ).fetchall()
    assert log == [("run-1", 100), ("run-3", 10)]


def test_bad_rows_go_to_quarantine_named_by_file_line_expectation_and_value(
    con, tmp_path, monkeypatch
) -> None:
    """The loader rejects what does not type and repeated ids (keeping the newest line); the gate
    quarantines what types but breaks an expectation."""
    monkeypatch.setenv("ROX_MAX_REJECTED_SHARE", "0.5")  # 2 of 20 rejected by the loader
    rows = [order_line(i) for i in range(20)]
    rows[1] = order_line(1, note='"two\nlines"')  # a record over lines 3-4 of the file
    rows[2] = order_line(2, amount="not a number")  # line 5: rejected by the loader
    rows[4] = order_line(4, day="2099-01-01")  # line 7
    rows[6] = order_line(6, amount="-5.00")  # line 9
    rows[9] = order_line(8)  # line 12 repeats line 11's id: the loader keeps line 12
    path = land_orders(tmp_path / "landing", "salesforce_orders_bad.csv", rows)
    lines = path.read_text().split("\n")
    assert lines[6].startswith("801000000000000004,") and lines[10] == lines[11]
    load(con, tmp_path)
    rejected = con.execute("select line_number, field from raw.rejected_rows order by 1")
    assert rejected.fetchall() == [(5, "TotalAmount"), (11, "Id")]

    result = gate(con)
    assert result.success and result.rows_removed == 2 and result.outcome.rows == 16
    moved = con.execute(
        "select file_name, line_number, expectation, value, row_json "
        "from raw.quarantined_rows order by line_number, expectation"
    ).fetchall()
    dates = "ExpectColumnValuesToBeBetween(effective_date"
    amounts = "ExpectColumnValuesToBeBetween(total_amount"
    name = "salesforce_orders_bad.csv"
    assert [(f, n, e.split(";")[0], v) for f, n, e, v, _ in moved] == [
        (name, 7, dates, "2099-01-01"),
        (name, 9, amounts, "-5.0"),
    ]
    assert '"total_amount":-5.00' in moved[1][4]  # the whole row is kept
    remaining = con.execute("select count(*), count(distinct id) from raw.salesforce_orders")
    assert remaining.fetchall() == [(16, 16)]
    assert con.execute(
        "select rows_validated, rows_quarantined from raw.validated_batches"
    ).fetchall() == [(18, 2)]
    assert gate(con, "run-2").outcome.rows == 0  # passed: not validated again


def test_a_second_quarantine_in_a_file_still_names_the_right_lines(con, tmp_path) -> None:
    """Positions count the rows quarantined before (a changed suite validates a file again)."""
    rows = [order_line(i) for i in range(10)]
    rows[2] = order_line(2, amount="-1.00")  # line 4
    rows[6] = order_line(6, amount="0.50")  # line 8
    land_orders(tmp_path / "landing", "salesforce_orders_a.csv", rows)
    load(con, tmp_path)
    assert gate(con).rows_removed == 1
    stricter = [*SUITE, at_least("total_amount", 1)]
    again = validate_new_rows(
        con, "raw.salesforce_orders", stricter, SUITE_NAME, FILE_BATCHES, run_id="run-2"
    )
    assert again.success and again.outcome.rows == 8 and again.rows_removed == 1
    assert again.outcome.scope == "the 9 rows of 1 new batch(es), 1 quarantined"
    (where,) = [r.location for r in again.quarantined]
    assert (where.line_number, where.record_number) == (8, 7)


def test_more_than_a_few_bad_rows_block_and_the_samples_name_file_and_line(con, tmp_path) -> None:
    rows = [order_line(i, amount="-1.00" if i % 3 else "2.00") for i in range(30)]
    land_orders(tmp_path / "landing", "salesforce_orders_broken.csv", rows)
    load(con, tmp_path)
    result = gate(con)
    assert not result.success and result.rows_removed == 0
    assert "20 of the 30 new rows of salesforce_orders_broken.csv fail" in result.blocked
    (failed,) = result.outcome.failures
    assert failed.unexpected_count == 20
    assert failed.samples[0] == "-1.0 (salesforce_orders_broken.csv line 3)"
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall() == [(30,)]
    # Not passed, so validated again next time.
    assert gate(con, "run-2").outcome.rows == 30


def test_more_than_the_row_cap_for_one_expectation_blocks(con, tmp_path) -> None:
    rows = [
        order_line(i, amount="-1.00" if i <= QUARANTINE_MAX_ROWS else "2.00") for i in range(900)
    ]
    land_orders(tmp_path / "landing", "salesforce_orders_many.csv", rows)
    load(con, tmp_path)
    result = gate(con)
    assert not result.success and result.rows_removed == 0
    assert f"{QUARANTINE_MAX_ROWS + 1} rows fail" in result.blocked


def test_review_api_pages_are_batches_and_a_bad_review_is_named_by_page(con) -> None:
    from expectations.raw_reviews import RAW_REVIEW_BATCHES, RAW_REVIEW_SUITE
    from ingest.review_sync import REVIEWS_TABLE, ensure_review_tables

    ensure_review_tables(con)
    page = "https://api.example/v1/business-units/bu/reviews?page={}"
    for number, stars in ((1, [5, 4, 3]), (2, [2, 9, 1])):
        for position, star in enumerate(stars):
            con.execute(
                f"insert into {REVIEWS_TABLE} (provider, business_unit_id, review_id, stars, "
                "created_at, page_url, fetched_at) values ('trustpilot', 'bu', ?, ?, "
                "timestamp '2026-10-01 10:00:00', ?, timestamp '2026-10-02 06:00:00' + ?::int "
                "* interval 1 second)",
                [f"r{number}{position}", star, page.format(number), number],
            )
    suite = RAW_REVIEW_SUITE["trustpilot_reviews"]
    batches = RAW_REVIEW_BATCHES["trustpilot_reviews"]
    result = validate_new_rows(con, REVIEWS_TABLE, suite, "raw_reviews", batches, "run-1")
    assert result.success and result.rows_removed == 1
    (bad,) = result.quarantined
    assert (bad.value, bad.location.label) == ("9", f"{page.format(2)} record 2")
    assert "2 new batch" in result.outcome.scope
    again = validate_new_rows(con, REVIEWS_TABLE, suite, "raw_reviews", batches, "run-2")
    assert again.outcome.rows == 0
