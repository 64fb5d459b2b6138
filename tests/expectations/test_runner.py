"""The raw CRM Great Expectations suite passes on clean exports and names what is wrong."""

from __future__ import annotations

import duckdb

from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
from expectations.runner import to_markdown, validate_table
from tests.helpers import load_demo_raw


def test_clean_demo_passes_every_table(small_demo, warehouse_env, tmp_path) -> None:
    load_demo_raw(warehouse_env, small_demo, tmp_path / "archive")
    with duckdb.connect(str(warehouse_env)) as con:
        for table, expectations in RAW_CRM_SUITE.items():
            outcome = validate_table(con, f"raw.{table}", expectations, SUITE_NAME)
            assert outcome.success, to_markdown(outcome)
            assert outcome.rows > 0


def test_failures_report_counts_and_sample_values(small_demo, warehouse_env, tmp_path) -> None:
    load_demo_raw(warehouse_env, small_demo, tmp_path / "archive")
    with duckdb.connect(str(warehouse_env)) as con:
        con.execute(
            "update raw.salesforce_orders set total_amount = -5 "
            "where id in (select id from raw.salesforce_orders order by id limit 3)"
        )
        con.execute(
            "insert into raw.salesforce_orders select * from raw.salesforce_orders "
            "order by id desc limit 1"
        )
        outcome = validate_table(
            con, "raw.salesforce_orders", RAW_CRM_SUITE["salesforce_orders"], SUITE_NAME
        )
    assert not outcome.success
    failed = {f.expectation.split("(")[0]: f for f in outcome.failures}
    assert set(failed) == {"ExpectColumnValuesToBeBetween", "ExpectCompoundColumnsToBeUnique"}
    amounts = failed["ExpectColumnValuesToBeBetween"]
    assert amounts.unexpected_count == 3
    assert amounts.sample_values and all(float(v) == -5 for v in amounts.sample_values)
    assert failed["ExpectCompoundColumnsToBeUnique"].unexpected_count == 2
    markdown = to_markdown(outcome)
    assert "2 of 8 expectations failed" in markdown and "**FAIL**" in markdown


def test_an_empty_table_validates_without_errors() -> None:
    from expectations.raw_surveys import RAW_SURVEY_SUITE
    from ingest.survey_loader import _DDL

    with duckdb.connect() as con:
        con.execute("create schema raw")
        con.execute(_DDL)
        outcome = validate_table(
            con, "raw.survey_answers", RAW_SURVEY_SUITE["survey_answers"], "raw_surveys"
        )
    assert outcome.rows == 0 and outcome.success
    assert "0 of 6 expectations failed" in to_markdown(outcome)


def test_great_expectations_imports_in_a_process_without_a_main_file() -> None:
    """pyspark 4, probed by GE on import, exits such processes silently (a Dagster run worker
    can be one); the runner hides pyspark from GE so the check runs instead of vanishing."""
    import subprocess
    import sys

    code = (
        "from expectations.runner import import_great_expectations\n"
        "gx = import_great_expectations()\n"
        "print('imported', gx.__version__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "imported 1." in done.stdout


def test_each_result_is_reported_against_its_own_expectation() -> None:
    """GE 1.24 runs a suite grouped by column, so its results do not come back in suite order;
    paired by position, a failing expectation was reported as passing and another as failing
    (seen on staging.stg_marketing__spend's suite)."""
    from expectations.spec import at_least, not_null, unique_together, valid_date

    suite = [
        not_null("spend_month"),
        not_null("channel"),
        unique_together("spend_month", "channel"),
        valid_date("spend_month"),
        at_least("spend_eur", 0),
    ]
    with duckdb.connect() as con:
        con.execute(
            "create table spend as select * from (values (date '2026-01-01', 'Search', 10.0), "
            "(date '2026-02-01', null, 5.0), (date '2026-03-01', 'TV', -1.0)) "
            "t(spend_month, channel, spend_eur)"
        )
        outcome = validate_table(con, "spend", suite, "staging")
    failed = {r.expectation: r.unexpected_count for r in outcome.failures}
    assert failed == {
        "ExpectColumnValuesToNotBeNull(channel)": 1,
        "ExpectColumnValuesToBeBetween(spend_eur; min_value=0)": 1,
    }
    assert [r.expectation for r in outcome.results] == [e.label for e in suite]


def test_row_conditions_samples_and_a_subset_of_rows() -> None:
    """A metric-conditional range (GE's condition dict) on the SQL engine; samples as text
    that reads the same whatever the column type; `where` validates only some rows."""
    from expectations.spec import between_where, in_set, not_null, valid_date

    with duckdb.connect() as con:
        con.execute(
            "create table answers as select * from (values "
            "('nps', 11.0, date '2099-01-01', 'f1'), ('nps', 9.0, date '2026-01-01', 'f1'), "
            "('csat', 6.0, null, 'f2'), ('csat', 5.0, date '1999-12-31', 'f2'), "
            "('typo', 5.0, date '2026-01-01', 'f2')) t(metric, score, answered_on, file)"
        )
        suite = [
            between_where("score", 0, 10, "metric", "nps"),
            between_where("score", 1, 5, "metric", "csat"),
            in_set("metric", ["nps", "csat", "ces", "enps", "verbatim"]),
            valid_date("answered_on"),
            not_null("answered_on"),
        ]
        whole = validate_table(con, "answers", suite, "s")
        only_f1 = validate_table(con, "answers", suite, "s", where="file = 'f1'")
    results = {r.expectation.split(";")[0] + str(i): r for i, r in enumerate(whole.results)}
    nps, csat, metric, dates, nulls = results.values()
    assert (nps.unexpected_count, nps.sample_values) == (1, ["11.0"])
    assert (csat.unexpected_count, csat.sample_values) == (1, ["6.0"])
    assert 'row_condition=metric=="nps"' in nps.expectation
    assert (metric.unexpected_count, metric.sample_values) == (1, ["typo"])
    assert (dates.unexpected_count, dates.sample_values) == (2, ["1999-12-31", "2099-01-01"])
    assert (nulls.unexpected_count, nulls.sample_values) == (1, ["null"])
    assert only_f1.rows == 2
    assert [r.expectation for r in only_f1.failures] == [nps.expectation, dates.expectation]


def test_nan_counts_as_missing_as_it_did_for_pandas() -> None:
    """DuckDB orders NaN above every number, so a range would fail on it; the gates took NaN
    for a missing value when they ran on pandas, and still do."""
    from expectations.spec import between, not_null

    with duckdb.connect() as con:
        con.execute("create table t as select * from (values (0.5), ('nan'::double), (null)) v(x)")
        in_range, present = validate_table(
            con, "t", [between("x", 0, 1), not_null("x")], "s"
        ).results
    assert in_range.success and in_range.unexpected_count == 0
    assert not present.success and present.unexpected_count == 2


def test_an_expectation_listed_twice_is_reported_twice() -> None:
    """GE keeps one of two equal expectations in a suite; each still gets its result."""
    from expectations.spec import between

    with duckdb.connect() as con:
        con.execute("create table t as select range as x from range(10)")
        outcome = validate_table(con, "t", [between("x", 0, 5), between("x", 0, 5)], "s")
    assert [r.unexpected_count for r in outcome.results] == [4, 4]
