"""The whole graph through Dagster on a small demo company: sources to business_kpis."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from tests.conftest import demo_review_server
from tests.kpi_oracle import expected_kpis

pytestmark = pytest.mark.e2e


def _run_daily_refresh(
    env: dict[str, str], instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in ("ROX_PSEUDONYM_SALT", "ROX_REVIEW_API_URL", "ROX_REVIEW_API_KEY"):
            if key not in env:
                mp.delenv(key, raising=False)
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def("daily_refresh")
        return job.execute_in_process(
            instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
        )


def _env(root: Path, landing: Path) -> dict[str, str]:
    return {
        "ROX_WAREHOUSE": str(root / "warehouse" / "rox.duckdb"),
        "ROX_LANDING_DIR": str(landing),
        "ROX_ARCHIVE_DIR": str(root / "archive"),
        "DO_NOT_TRACK": "1",
    }


@pytest.fixture(scope="module")
def built(small_demo, dbt_manifest, tmp_path_factory) -> tuple[dg.ExecuteInProcessResult, Path]:
    """The whole graph, with the demo review API rate limiting every third request."""
    root = tmp_path_factory.mktemp("e2e")
    env = _env(root, small_demo.landing)
    instance = dg.DagsterInstance.ephemeral()
    with demo_review_server(small_demo, rate_limit_every=3) as server:
        env["ROX_REVIEW_API_URL"] = server.url
        env["ROX_REVIEW_API_KEY"] = server.api_key
        env["ROX_REVIEW_BUSINESS_UNITS"] = ",".join(server.business_units)
        result = _run_daily_refresh(env, instance)
    logs = instance.all_logs(result.run_id)
    BUILT_LOGS[:] = [str(event) for event in logs]
    return result, Path(env["ROX_WAREHOUSE"])


BUILT_LOGS: list[str] = []


def test_every_asset_materialises_and_every_check_passes(built) -> None:
    result, _ = built
    assert result.success
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "raw/salesforce_orders",
        "staging/stg_salesforce__orders",
        "marts/business_kpis",
    } <= materialised
    evaluations = result.get_asset_check_evaluations()
    ge_checks = [e for e in evaluations if e.check_name == "ge_raw_crm"]
    assert len(ge_checks) == 7 and all(e.passed for e in ge_checks)
    assert all(e.passed for e in evaluations)


def test_raw_row_counts_equal_the_exported_rows(built, small_demo) -> None:
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        crm_files = {k: v for k, v in small_demo.truth["files"].items() if k.startswith("crm/")}
        for name, rows in crm_files.items():
            table = Path(name).name.split(".")[0]
            table = "salesforce_orders" if table.startswith("salesforce_orders") else table
            loaded = con.execute(
                "select count(*) from raw." + table + " where _source_file = ?", [Path(name).name]
            ).fetchall()[0][0]
            assert loaded == rows, name
        assert con.execute("select count(*) from raw.rejected_rows").fetchall()[0][0] == 0


def test_business_kpis_match_an_independent_computation(built, small_demo) -> None:
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        actual = con.execute("select * from marts.business_kpis order by month_start").df()
    expected = expected_kpis(small_demo.crm)
    assert len(actual) == len(expected) == 24
    actual["month_start"] = pd.to_datetime(actual["month_start"]).dt.date
    for column in expected.columns:
        for got, want, month in zip(
            actual[column], expected[column], expected["month_start"], strict=True
        ):
            if want is None or (isinstance(want, float) and math.isnan(want)):
                assert got is None or pd.isna(got), f"{column} {month}: {got} != null"
            elif isinstance(want, float):
                assert float(got) == pytest.approx(want, rel=1e-9, abs=1e-6), f"{column} {month}"
            else:
                assert got == want, f"{column} {month}: {got} != {want}"


def test_a_failing_raw_check_stops_staging(small_demo, dbt_manifest, tmp_path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.crm, landing / "crm")
    spend = landing / "crm" / "marketing_spend.csv"
    spend.write_text(spend.read_text() + "2026-10-01,Paid Search,-120.00,10,1\n")
    env = _env(tmp_path, landing)
    result = _run_daily_refresh(env)

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_key.to_user_string() for e in failed] == ["raw/marketing_spend"]
    assert "spend_eur" in failed[0].metadata["result"].value
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "raw/marketing_spend" in materialised
    assert not any(k.startswith(("staging/", "intermediate/", "marts/")) for k in materialised)
    with duckdb.connect(env["ROX_WAREHOUSE"], read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
    assert "staging" not in schemas and "marts" not in schemas


def test_customer_clv_is_finite_and_planted_churners_look_less_alive(built, small_demo) -> None:
    _, warehouse = built
    hidden = small_demo.landing / "ground_truth_customers.parquet"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        clv = con.execute(
            """
            select truth.dropped_out, clv.p_alive, clv.clv_12m_eur, clv.clv_horizon_eur
            from marts.customer_clv as clv
            join (
                select sha256(concat(salt.salt, h.account_id)) as customer_key, h.dropped_out
                from read_parquet(?) as h
                cross join raw.pseudonym_salt as salt
            ) as truth using (customer_key)
            """,
            [str(hidden)],
        ).df()
        customers = con.execute("select count(*) from intermediate.int_customer_rfm").fetchall()
        segments = con.execute("select sum(customers) from marts.clv_by_segment").fetchall()
        backtests = con.execute(
            "select count(*), min(correlation) from marts.clv_backtest"
        ).fetchall()
    assert len(clv) == customers[0][0] == segments[0][0]
    assert clv[["p_alive", "clv_12m_eur", "clv_horizon_eur"]].notna().all().all()
    by_truth = clv.groupby("dropped_out")["p_alive"].mean()
    assert by_truth[True] < by_truth[False] - 0.1
    assert backtests[0][0] == 1 and backtests[0][1] > 0.3


def test_monthly_nps_matches_the_qualtrics_export(built, small_demo) -> None:
    _, warehouse = built
    export = pd.read_csv(
        small_demo.landing / "surveys" / "relationship_nps.csv",
        skiprows=[1, 2],
        encoding="utf-8-sig",
    )
    export = export[export["Status"] == "IP Address"]
    recorded = pd.to_datetime(export["RecordedDate"]).dt.tz_localize("Europe/Berlin")
    export["month"] = recorded.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
    expected = export.groupby("month")["Q1"].agg(
        lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean())
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        actual = con.execute(
            "select month_start, responses, metric_value from marts.survey_metrics_monthly "
            "where metric = 'nps' and scope_type = 'company' order by month_start"
        ).df()
    actual["month"] = pd.to_datetime(actual["month_start"]).dt.to_period("M")
    assert list(actual["month"]) == list(expected.index)
    assert actual["responses"].sum() == len(export)
    for month, value in zip(actual["month"], actual["metric_value"], strict=True):
        assert value == pytest.approx(expected[month], abs=1e-9), month


def test_reviews_arrive_through_the_api_without_leaking_the_key(built, small_demo) -> None:
    _, warehouse = built
    served = json.loads((small_demo.landing / "demo_api" / "trustpilot_reviews.json").read_text())
    expected = sum(len(reviews) for reviews in served.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        api = con.execute("select count(distinct review_id) from raw.trustpilot_reviews").fetchall()
        pages = con.execute("select count(*) from raw.review_api_pages").fetchall()
        staged = dict(
            con.execute("select provider, count(*) from staging.stg_reviews group by 1").fetchall()
        )
        exported = con.execute(
            "select (select count(*) from raw.google_play_reviews), "
            "(select count(*) from raw.app_store_reviews)"
        ).fetchall()[0]
    assert api[0][0] == expected == staged["trustpilot"]
    assert pages[0][0] >= 1
    assert (staged["google_play"], staged["app_store"]) == exported
    assert BUILT_LOGS and not any("test-key-" in line for line in BUILT_LOGS)


def test_journey_heatmap_finds_the_planted_pain_point_and_moment_that_matters(
    built, small_demo
) -> None:
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cells = con.execute(
            "select touchpoint_id, heat_label, volume, is_moment_that_matters "
            "from marts.journey_heatmap where segment = 'all'"
        ).df()
        rates = dict(
            con.execute(
                "select source, match_rate from intermediate.int_identity_match_rates"
            ).fetchall()
        )
        events = con.execute("select count(*) from marts.fct_experience_events").fetchall()
    pain = (
        cells.assign(pain=cells["volume"] * (cells["heat_label"] == "pain"))
        .groupby("touchpoint_id")[["pain", "volume"]]
        .sum()
    )
    pain_share = pain["pain"] / pain["volume"]
    assert pain_share.idxmax() == small_demo.truth["pain_touchpoint"]
    assert pain_share.max() > 0.5
    moments = set(cells.loc[cells["is_moment_that_matters"], "touchpoint_id"])
    assert small_demo.truth["strongest_driver_touchpoint"] in moments
    assert rates["survey_responses"] > 0.95 and rates["tickets"] > 0.95
    assert rates["reviews_trustpilot"] > 0.95 and rates["reviews_app_store"] == 0
    assert events[0][0] > 0


def test_the_demo_summary_reports_tables_kpis_and_cx_headlines(built, tmp_path) -> None:
    from demo.summary import render

    _, warehouse = built
    text = render(warehouse)
    assert "marts.business_kpis" in text and " 24\n" in text.split("marts.business_kpis")[1][:60]
    assert "Headline KPIs, October 2026" in text
    assert "strongest driver" in text and "revenue at risk" in text
    assert str(warehouse) in text

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    bare = render(empty)
    assert "Headline KPIs" not in bare and "Customer experience" not in bare
