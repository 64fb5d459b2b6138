"""Security end to end: secrets stay out of logs, run metadata and errors; no personal data in
the marts.

Configuration reaching SQL only as validated identifiers or bound parameters is tested beside
each parser (tests/ingest/test_survey_loader.py, test_csv_loader.py, tests/analytics/
test_metric_catalogue.py, test_okr.py, test_rox_config.py, tests/orchestration/journey/
test_assets.py, tests/dbt/test_date_window.py); files cannot escape the landing folder
(tests/ingest/test_landing.py). Also covered elsewhere: the key is absent from the review tables
and client logs (tests/ingest/test_review_sync.py), from auth errors of the client
(tests/ingest/test_reviews.py) and from the whole-graph run's event log
(tests/integration/test_end_to_end.py); personal column names and email-like values in staging,
intermediate and marts (tests/dbt/test_dbt_build.py).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.resources import ReviewApi, WarehouseDuckDB
from tests.helpers import demo_review_server

PERSONAL_COLUMN = re.compile(
    r"(email|first_name|last_name|full_name|phone|^ip$|ip_address|display_name|nickname|"
    r"requester$|^name$|address)"
)


def _materialise_reviews(database: Path, url: str, units: list[str]) -> dg.ExecuteInProcessResult:
    from orchestration.reviews.assets import trustpilot_reviews

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [trustpilot_reviews],
        instance=instance,
        raise_on_error=False,
        resources={
            "duckdb": WarehouseDuckDB(database=str(database)),
            "review_api": ReviewApi(
                base_url=url,
                api_key=dg.EnvVar("ROX_REVIEW_API_KEY"),
                business_units=",".join(units),
            ),
        },
    )
    run = instance.get_run_by_id(result.run_id)
    records = [str(event) for event in instance.all_logs(result.run_id)]
    records += [repr(run.run_config), repr(run.tags), repr(result.all_events)]
    return result, "\n".join(records)


def test_the_api_key_never_reaches_logs_run_metadata_or_errors(
    small_demo, tmp_path, monkeypatch, caplog, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ROX_RAW_PARQUET_DIR", str(tmp_path / "parquet"))
    database = tmp_path / "rox.duckdb"
    with demo_review_server(small_demo, rate_limit_every=2, server_errors_at={3}) as server:
        monkeypatch.setenv("ROX_REVIEW_API_KEY", server.api_key)
        ok, ok_records = _materialise_reviews(database, server.url, server.business_units)
        wrong_key = "wrong-key-" + "y" * 16
        monkeypatch.setenv("ROX_REVIEW_API_KEY", wrong_key)
        refused, refused_records = _materialise_reviews(database, server.url, server.business_units)
    captured = capsys.readouterr()

    assert ok.success and not refused.success
    metadata = ok.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["reviews_inserted"].value > 0
    failure = next(e for e in refused.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.user_failure_data.description
    assert "refused the API key" in message
    with duckdb.connect(str(database), read_only=True) as con:
        stored = "".join(
            str(con.execute(f"select * from {t}").fetchall())
            for t in ("raw.review_api_pages", "raw.trustpilot_reviews", "raw.review_sync_cursor")
        )
    for key in (server.api_key, wrong_key):
        for where, text in {
            "event log and run metadata": ok_records + refused_records,
            "failure message": message,
            "python logs": caplog.text,
            "stdout and stderr": captured.out + captured.err,
            "raw tables": stored,
        }.items():
            assert key not in text, f"the key leaked into the {where}"


def test_the_marts_hold_no_personal_data(built_small_warehouse) -> None:
    with duckdb.connect(str(built_small_warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()
        assert columns, "the build made no marts"
        assert not [c for c in columns if PERSONAL_COLUMN.search(c[1])]
        con.execute(
            """
            create temp table personal as
            select lower(email) as value from raw.salesforce_contacts
            union select lower(email) from raw.hubspot_contacts
            union select lower(requester_email) from raw.zendesk_tickets
            union select lower(requester) from raw.zendesk_tickets
            union select lower(name) from raw.salesforce_accounts
            union select lower(first_name || ' ' || last_name) from raw.salesforce_contacts
            union select phone from raw.salesforce_contacts
            union select phone from raw.salesforce_accounts
            union select lower(respondent_email) from raw.survey_answers
            """
        )
        assert con.execute("select count(*) from personal").fetchall()[0][0] > 300
        for table, column, data_type in columns:
            if data_type != "VARCHAR":
                continue
            leaks = con.execute(
                f"select count(*) from marts.{table} where lower({column}) in "
                f"(select value from personal where value is not null) "
                f"or regexp_matches({column}, '[^@ ]+@[^@ ]+[.][a-z]+') "
                rf"or regexp_matches({column}, '\b[0-9]{{1,3}}([.][0-9]{{1,3}}){{3}}\b')"
            ).fetchall()[0][0]
            assert leaks == 0, f"personal data in marts.{table}.{column}"
