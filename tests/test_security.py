"""Security (issue #10): secrets stay out of logs, run metadata and errors; no personal data in
the marts; configuration reaches SQL only as validated identifiers or bound parameters; files
cannot escape the landing folder.

Also covered elsewhere: the key is absent from the review tables and client logs
(tests/test_review_sync.py::test_the_key_is_never_written_to_a_table_or_a_log), from auth errors
of the client (tests/test_review_client.py::test_wrong_key_fails_at_once_without_showing_the_key)
and from the whole-graph run's event log (tests/test_end_to_end.py); personal column names and
email-like values in staging, intermediate and marts (tests/test_dbt_build.py); a symlink out of
the CRM folder (tests/test_csv_loader.py::test_a_link_out_of_the_landing_folder_is_refused).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from analytics.metric_catalogue import (
    MetricCatalogueError,
    compute_metric_values,
    load_metric_catalogue,
    parse_metric_catalogue,
)
from analytics.okr import OkrConfigError, parse_okrs
from analytics.rox_config import RoxConfigError, parse_ledger
from analytics.themes import ThemeTaxonomyError, load_theme_taxonomy
from ingest.crm import CRM_SOURCES, MARKETING_SPEND
from ingest.csv_loader import CsvSource, load_csv_source
from ingest.landing import LandingError
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES, load_review_exports
from ingest.settings import REPO_ROOT
from ingest.strict_yaml import read_config_yaml
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping
from orchestration.assets.text_signals import compute_text_signals
from orchestration.resources import ReviewApi, WarehouseDuckDB
from tests.conftest import demo_review_server, load_demo_raw, run_dbt

INJECTIONS = ["x'; drop table raw.load_log; --", 'a"b', "../../etc/passwd"]
PERSONAL_COLUMN = re.compile(
    r"(email|first_name|last_name|full_name|phone|^ip$|ip_address|display_name|nickname|"
    r"requester$|^name$|address)"
)


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every table with its row count: what "the warehouse is unchanged" compares."""
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog') order by 1"
    ).fetchall()
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in names}


@pytest.fixture(scope="module")
def built(small_demo, tmp_path_factory) -> Path:
    """The small demo company loaded into raw and built by `dbt build`."""
    root = tmp_path_factory.mktemp("security")
    database = root / "rox.duckdb"
    load_demo_raw(database, small_demo, root / "archive")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(database))
        result = run_dbt("build")
    assert result.returncode == 0, result.stdout[-3000:]
    return database


# -- secrets -------------------------------------------------------------------------------


def _materialise_reviews(database: Path, url: str, units: list[str]) -> dg.ExecuteInProcessResult:
    from orchestration.assets.reviews import trustpilot_reviews

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


# -- personal data -------------------------------------------------------------------------


def test_the_marts_hold_no_personal_data(built) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
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


# -- configuration reaching SQL ------------------------------------------------------------


@pytest.mark.parametrize("injection", INJECTIONS)
def test_survey_ids_and_field_names_travel_as_data(injection, tmp_path) -> None:
    mapping_file = tmp_path / "survey_mapping.yml"
    quoted = injection.replace("'", "''")
    mapping_file.write_text(
        "version: 1\nsurveys:\n"
        f"  '{quoted}':\n"
        "    kind: customer\n"
        f"    fields:\n      touchpoint: '{quoted}'\n"
        f"    questions:\n      '{quoted}': nps\n"
    )
    mapping = load_survey_mapping(mapping_file)
    surveys = tmp_path / "landing" / "surveys"
    surveys.mkdir(parents=True)
    frame = pd.DataFrame(
        {
            "survey_id": [injection],
            "response_id": ["r1"],
            "recorded_at": ["2026-01-05T10:00:00Z"],
            "question_id": [injection],
            "answer": ["9"],
            injection: [injection],
        }
    )
    frame.to_csv(surveys / "pulse.csv", index=False)
    with duckdb.connect() as con:
        report = load_survey_files(con, tmp_path / "landing", tmp_path / "archive", mapping)
        stored = con.execute(
            "select survey_id, question_id, metric, score, touchpoint from raw.survey_answers"
        ).fetchall()
        logged = con.execute("select count(*) from raw.load_log").fetchall()[0][0]
    assert report.rows_loaded == 1 and logged == 1
    assert stored == [(injection, injection, "nps", 9.0, injection)]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_csv_headers_travel_as_quoted_identifiers(injection, tmp_path) -> None:
    crm = tmp_path / "landing" / "crm"
    crm.mkdir(parents=True)
    pd.DataFrame(
        {"month": ["2026-01-01"], "channel": ["Paid Search"], "spend_eur": [1.5], injection: ["v"]}
    ).to_csv(crm / "marketing_spend.csv", index=False)
    with duckdb.connect() as con:
        load_csv_source(con, MARKETING_SPEND, tmp_path / "landing", tmp_path / "archive")
        extra = con.execute("select _extra from raw.marketing_spend").fetchall()
        logged = con.execute("select extra_columns from raw.load_log").fetchall()
    assert [json.loads(e) for (e,) in extra] == [{injection: "v"}]
    assert logged == [(injection,)]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_theme_ids_are_refused_and_keywords_stay_text(injection, built, tmp_path) -> None:
    quoted = injection.replace("'", "''")
    bad_id = tmp_path / "bad_themes.yml"
    bad_id.write_text(f"version: 1\nthemes:\n  '{quoted}':\n    label: X\n    keywords: [late]\n")
    with pytest.raises(ThemeTaxonomyError, match="bad_themes.yml"):
        load_theme_taxonomy(bad_id)

    taxonomy = tmp_path / "themes.yml"
    taxonomy.write_text(
        f"version: 1\nthemes:\n  odd:\n    label: Odd\n    keywords: ['{quoted.lower()}']\n"
    )
    database = tmp_path / "rox.duckdb"
    shutil.copyfile(built, database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "update raw.trustpilot_reviews set text = ? where review_id = "
            "(select min(review_id) from raw.trustpilot_reviews)",
            [f"It came late. {injection}"],
        )
        before = _tables(con)
        compute_text_signals(con, taxonomy)
        tagged = con.execute(
            "select count(*) from raw.text_signals where primary_theme = 'odd'"
        ).fetchall()[0][0]
        assert _tables(con) == before
    assert tagged == 1


def test_metric_names_and_sources_are_refused_and_relations_validated() -> None:
    shipped = read_config_yaml(REPO_ROOT / "config" / "metrics.yml", MetricCatalogueError)
    name, spec = next(iter(shipped["metrics"].items()))
    for injection in INJECTIONS:
        with pytest.raises(MetricCatalogueError, match="lower_snake_case"):
            parse_metric_catalogue({"version": 1, "metrics": {injection: spec}})
        with pytest.raises(MetricCatalogueError, match="source"):
            parse_metric_catalogue({"version": 1, "metrics": {name: {**spec, "source": injection}}})
    catalogue = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    with duckdb.connect() as con:
        con.execute("create schema raw; create table raw.load_log (x int)")
        for injection in ["marts.x; drop table raw.load_log", *INJECTIONS]:
            with pytest.raises(ValueError, match="not a relation name"):
                compute_metric_values(con, catalogue, injection)
        assert _tables(con) == {"raw.load_log": 0}


def _okrs(**key_result) -> dict:
    objective = {
        "id": "O1",
        "statement": "Delight",
        "value_stream": "vs",
        "owner": "cx",
    }
    result = {
        "id": "KR1",
        "objective": "O1",
        "metric": "nps",
        "scope": "company",
        "baseline": 10,
        "target": 20,
        "start": "2026-01-01",
        "end": "2026-06-30",
        **key_result,
    }
    return {"version": 1, "objectives": [objective], "key_results": [result]}


@pytest.mark.parametrize("injection", INJECTIONS)
def test_okr_ids_and_scope_ids_are_refused(injection) -> None:
    catalogue = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    metric = next(m for m in catalogue.values() if "touchpoint" in m.scopes)
    known = {"value_stream": {"vs"}, "touchpoint": {"delivery"}, "job": set()}
    okrs = _okrs(metric=metric.name, target=20 if metric.higher_is_better else 0)
    parse_okrs(okrs, catalogue, known)  # the template is valid
    bad_scope = _okrs(metric=metric.name, scope=f"touchpoint:{injection}")
    bad_scope["key_results"][0]["target"] = okrs["key_results"][0]["target"]
    with pytest.raises(OkrConfigError, match="unknown touchpoint"):
        parse_okrs(bad_scope, catalogue, known)
    bad_id = _okrs(metric=metric.name, id=injection)
    bad_id["key_results"][0]["target"] = okrs["key_results"][0]["target"]
    with pytest.raises(OkrConfigError, match="not a valid id"):
        parse_okrs(bad_id, catalogue, known)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_ledger_scope_ids_are_refused_and_names_stay_text(injection) -> None:
    row = {
        "initiative_id": "INI-01",
        "initiative_name": "Faster delivery",
        "scope_type": "touchpoint",
        "scope_id": "delivery",
        "investment_kind": "hard",
        "investment_category": "logistics",
        "cost_per_month_eur": 100,
        "start_month": "2026-01-01",
    }
    known = {"touchpoint": {"delivery"}}
    with pytest.raises(RoxConfigError, match=r"line 2 .*scope_id: unknown touchpoint"):
        parse_ledger(pd.DataFrame([{**row, "scope_id": injection}]), known)
    with pytest.raises(RoxConfigError, match="scope_type"):
        parse_ledger(pd.DataFrame([{**row, "scope_type": injection}]), known)
    (initiative,) = parse_ledger(
        pd.DataFrame([{**row, "initiative_id": injection, "initiative_name": injection}]), known
    )
    assert (initiative.initiative_id, initiative.name) == (injection, injection)


def test_dbt_date_vars_are_validated_before_any_sql(built) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
        before = _tables(con)
        orders = con.execute("select * from intermediate.int_orders_daily order by all").fetchall()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(built))
        result = run_dbt(
            "run",
            "--select",
            "int_orders_daily",
            "--vars",
            '{min_date: "2026-01-01\'; drop table raw.load_log; --", max_date: 2026-01-02}',
        )
    assert result.returncode != 0
    assert "var min_date must be a date YYYY-MM-DD" in result.stdout
    with duckdb.connect(str(built), read_only=True) as con:
        after = con.execute("select * from intermediate.int_orders_daily order by all").fetchall()
        assert _tables(con) == before
    assert after == orders


# -- the landing folder --------------------------------------------------------------------


def test_no_loader_follows_a_file_out_of_the_landing_folder(small_demo, tmp_path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.landing / "crm", landing / "crm")
    shutil.copytree(small_demo.landing / "surveys", landing / "surveys")
    shutil.copytree(small_demo.landing / "reviews", landing / "reviews")
    secret = tmp_path / "secret.csv"
    secret.write_text("month,channel,spend_eur\n2026-01-01,x,1\n")
    for link in ("crm/salesforce_orders_evil.csv", "surveys/evil.csv", "reviews/reviews_evil.csv"):
        (landing / link).symlink_to(secret)
    mapping = load_survey_mapping(REPO_ROOT / "config" / "survey_mapping.yml")
    orders = next(s for s in CRM_SOURCES if s.name == "salesforce_orders")
    google_play = next(s for s in REVIEW_EXPORT_SOURCES if s.provider == "google_play")
    loaders = {
        "salesforce_orders_evil.csv": lambda con: load_csv_source(
            con, orders, landing, tmp_path / "archive"
        ),
        "evil.csv": lambda con: load_survey_files(con, landing, tmp_path / "archive", mapping),
        "reviews_evil.csv": lambda con: load_review_exports(
            con, google_play, landing, tmp_path / "archive"
        ),
    }
    with duckdb.connect() as con:
        for name, load in loaders.items():
            with pytest.raises(LandingError, match=rf"{re.escape(name)} points outside"):
                load(con)
        # Crafted folders and patterns cannot leave it either.
        for folder, pattern in [("../..", "*.csv"), ("crm", "../../secret*.csv")]:
            crafted = CsvSource("marketing_spend", folder, pattern, "", MARKETING_SPEND.columns)
            with pytest.raises(LandingError, match="outside the landing folder"):
                load_csv_source(con, crafted, landing, tmp_path / "archive")
        loaded = con.execute("select count(*) from raw.load_log").fetchall()[0][0]
    assert loaded == 0
    assert not (tmp_path / "archive").exists() or not any(
        p.name == "secret.csv" or p.is_symlink() for p in (tmp_path / "archive").rglob("*")
    )


def test_a_symlinked_source_folder_is_refused(tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "marketing_spend.csv").write_text("month,channel,spend_eur\n2026-01-01,x,1\n")
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "crm").symlink_to(outside, target_is_directory=True)
    with duckdb.connect() as con, pytest.raises(LandingError, match="'crm' is outside"):
        load_csv_source(con, MARKETING_SPEND, tmp_path / "landing", tmp_path / "archive")
