"""The whole graph through Dagster on a small demo company: sources to business_kpis."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from common.settings import DBT_PROJECT_DIR
from tests.helpers import (
    PUBLISH_EVERY_VALUE,
    demo_review_server,
    pipeline_env,
    run_daily_refresh,
)
from tests.integration.kpi_oracle import expected_kpis
from tests.orchestration.shared.test_mart_columns import assert_marts_match_their_docs

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(small_demo, dbt_manifest, tmp_path_factory) -> tuple[dg.ExecuteInProcessResult, Path]:
    """The whole graph, with the demo review API rate limiting every third request."""
    root = tmp_path_factory.mktemp("e2e")
    env = pipeline_env(root, small_demo.landing)
    instance = dg.DagsterInstance.ephemeral()
    with demo_review_server(small_demo, rate_limit_every=3) as server:
        env["ROX_REVIEW_API_URL"] = server.url
        env["ROX_REVIEW_API_KEY"] = server.api_key
        env["ROX_REVIEW_BUSINESS_UNITS"] = ",".join(server.business_units)
        result = run_daily_refresh(env, instance, PUBLISH_EVERY_VALUE)
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
    gates = [e.check_name for e in evaluations]
    assert gates.count("ge_staging") == 16 and gates.count("ge_marts") == 25
    assert all(e.passed for e in evaluations)
    # The demo spreads answers over real days: the volume gate sees no pile-up.
    assert [e.passed for e in evaluations if e.check_name == "volume_spikes"] == [True]


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


def test_a_bad_raw_row_is_quarantined_and_never_reaches_staging(
    small_demo, dbt_manifest, tmp_path
) -> None:
    """Every source, as in `built`, plus one negative spend: the run completes without it."""
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.landing, landing)
    spend = landing / "crm" / "marketing_spend.csv"
    lines = spend.read_text().splitlines()
    # A month before the data: a row of a month and channel already in the file would replace it.
    spend.write_text("\n".join([*lines, "2024-10-01,Paid Search,-120.00,10,1"]) + "\n")
    env = pipeline_env(tmp_path, landing)
    with demo_review_server(small_demo) as server:
        env["ROX_REVIEW_API_URL"] = server.url
        env["ROX_REVIEW_API_KEY"] = server.api_key
        env["ROX_REVIEW_BUSINESS_UNITS"] = ",".join(server.business_units)
        result = run_daily_refresh(env)

    assert result.success
    (gate,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "raw/marketing_spend" and e.check_name == "ge_raw_crm"
    ]
    assert gate.passed and gate.metadata["rows_quarantined"].value == 1
    assert f"| `marketing_spend.csv` | line {len(lines) + 1} |" in gate.metadata["quarantine"].value
    with duckdb.connect(env["ROX_WAREHOUSE"], read_only=True) as con:
        assert con.execute(
            "select count(*) from staging.stg_marketing__spend where spend_eur < 0"
        ).fetchall() == [(0,)]
        assert con.execute("select count(*) from staging.stg_marketing__spend").fetchall() == [
            (len(lines) - 1,)
        ]
        assert con.execute(
            "select file_name, line_number, value from raw.quarantined_rows"
        ).fetchall() == [("marketing_spend.csv", len(lines) + 1, "-120.0")]


# Models whose only inputs are seeds: a failed source does not concern them, and Dagster may
# run them in a step of their own before the failure.
READS_ONLY_SEEDS = {"intermediate/int_journey_touchpoints"}


def test_a_broken_raw_export_stops_staging(small_demo, dbt_manifest, tmp_path) -> None:
    """Every spend negative is not a few bad rows: the raw gate blocks, nothing is moved."""
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.crm, landing / "crm")
    spend = landing / "crm" / "marketing_spend.csv"
    frame = pd.read_csv(spend, dtype=str, keep_default_na=False)
    frame["spend_eur"] = "-" + frame["spend_eur"]
    frame.to_csv(spend, index=False)
    env = pipeline_env(tmp_path, landing)
    result = run_daily_refresh(env)

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_key.to_user_string() for e in failed] == ["raw/marketing_spend"]
    assert "spend_eur" in failed[0].metadata["result"].value
    assert re.search(
        r"`-[0-9.]+ \(marketing_spend\.csv line [0-9]+\)`", failed[0].metadata["result"].value
    )
    assert "is a broken export" in failed[0].metadata["not_quarantined"].value
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "raw/marketing_spend" in materialised
    # Only models that read configuration alone (the seeds) may refresh.
    refreshed = {k for k in materialised if k.startswith(("staging/", "intermediate/", "marts/"))}
    assert refreshed <= READS_ONLY_SEEDS
    with duckdb.connect(env["ROX_WAREHOUSE"], read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
    assert "staging" not in schemas and "marts" not in schemas


def test_a_failing_staging_gate_stops_intermediate_and_writes_its_page(
    small_demo, dbt_manifest, tmp_path
) -> None:
    """Tickets from unknown requesters pass raw and dbt's tests but not the staging share."""
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.crm, landing / "crm")
    tickets_csv = landing / "crm" / "zendesk_tickets.csv"
    tickets = pd.read_csv(tickets_csv, dtype=str, keep_default_na=False)
    strangers = tickets.head(len(tickets) // 2).copy()
    strangers["Id"] = [str(90000 + i) for i in range(len(strangers))]
    strangers["Requester email"] = [f"stranger{i}@example.org" for i in range(len(strangers))]
    pd.concat([tickets, strangers]).to_csv(tickets_csv, index=False)
    env = pipeline_env(tmp_path, landing)
    result = run_daily_refresh(env)

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_key.to_user_string() for e in failed] == ["staging/stg_zendesk__tickets"]
    (expectation,) = failed[0].metadata["failed_expectations"].value
    assert expectation.startswith("share of contact_key in staging.stg_salesforce__contacts")
    assert "stranger" not in failed[0].metadata["result"].value  # keys are pseudonyms
    page = Path(failed[0].metadata["validation_page"].value)
    assert page == tmp_path / "warehouse" / "validation" / (
        f"staging__stg_zendesk__tickets__{result.run_id}.html"
    )
    assert "share of contact_key in staging.stg_salesforce__contacts" in page.read_text()
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "staging/stg_zendesk__tickets" in materialised
    after = {k for k in materialised if k.startswith(("intermediate/", "marts/", "published/"))}
    # Nothing that reads tickets refreshes, nor is the BI snapshot swapped. (The dbt marts are
    # one step, which reads the failed view through business_kpis, so the marts built on other
    # staging views wait for the next good run too.)
    assert after <= {
        "marts/survey_metrics_monthly",
        "marts/review_metrics_monthly",
        *READS_ONLY_SEEDS,
    }


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


def test_metric_values_agree_with_the_kpi_and_survey_marts(built) -> None:
    """marts.metric_values (catalogue rule over observations) equals the dedicated marts."""
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        pairs = con.execute(
            """
            select v.metric, v.period_start, v.value, k.expected
            from marts.metric_values as v
            join (
                select month_start, 'churn_rate' as metric, churn_rate as expected
                from marts.business_kpis
                union all
                select month_start, 'cac', cac_eur from marts.business_kpis
                union all
                select month_start, 'cost_to_serve', cost_to_serve_eur from marts.business_kpis
                union all
                select month_start, 'return_rate', return_rate from marts.business_kpis
                union all
                select month_start, metric, metric_value from marts.survey_metrics_monthly
                where scope_type = 'company' and metric in ('nps', 'csat', 'ces', 'enps')
            ) as k on k.metric = v.metric and k.month_start = v.period_start
            where v.period_grain = 'month' and v.scope_type = 'company'
              and k.expected is not null
            """
        ).fetchall()
        okr_rows = con.execute("select count(*) from marts.okr_progress").fetchall()[0][0]
    assert {p[0] for p in pairs} == {
        "churn_rate", "cac", "cost_to_serve", "return_rate", "nps", "csat", "ces", "enps"
    }  # fmt: skip
    assert len(pairs) > 100
    for metric, month, value, expected in pairs:
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), (metric, month)
    assert okr_rows > 0


def test_rox_tables_cover_every_scope_and_initiative(built, small_demo) -> None:
    """... and the company's own ledger export (costs scaled to its size) replaced the seed."""
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scopes = dict(
            con.execute(
                "select scope_type, count(distinct scope_id) from marts.rox_score group by 1"
            ).fetchall()
        )
        dimensions = dict(
            con.execute(
                "select scope_type, count(*) from intermediate.int_known_scopes "
                "where scope_type in ('territory', 'business_unit', 'channel') group by 1"
            ).fetchall()
        )
        versions = con.execute("select distinct formula_version from marts.rox_score").fetchall()
        initiatives = con.execute(
            "select initiative_id, investment_to_date_eur, months_live * cost_per_month_eur "
            "from marts.rox_by_initiative order by 1"
        ).fetchall()
        no_investment = con.execute(
            "select count(*), count(monthly_rox) from marts.rox_score where investment_eur = 0"
        ).fetchall()[0]
        company_rox = con.execute(
            "select count(monthly_rox) from marts.rox_score where scope_type = 'company'"
        ).fetchall()[0][0]
        kinds = con.execute("select investment_kind from marts.rox_portfolio order by 1").fetchall()
        costs = dict(
            con.execute(
                "select initiative_id, cost_per_month_eur from marts.rox_by_initiative"
            ).fetchall()
        )
        sources = con.execute("select distinct ledger_source from intermediate.int_actions")
        action_sources = sources.fetchall()
    ledger = pd.read_csv(small_demo.landing / "ledger" / "initiatives.csv")
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "initiatives.csv")
    assert costs == dict(zip(ledger["initiative_id"], ledger["cost_per_month_eur"], strict=True))
    assert costs != dict(zip(seed["initiative_id"], seed["cost_per_month_eur"], strict=True))
    assert action_sources == [("export",)]
    # Every territory, brand and sales channel customers have (five countries, two brands, and
    # the channels of their orders), besides the configured scopes.
    assert dimensions["territory"] == 5 and dimensions["business_unit"] == 2
    assert scopes == {
        "company": 1,
        "value_stream": 2,
        "job": 3,
        "segment": 3,
        "touchpoint": 5,
        **dimensions,
    }
    assert versions == [("rox-1",)]
    assert [i[0] for i in initiatives] == ["INI-01", "INI-02", "INI-03", "INI-04"]
    assert all(i[1] == i[2] > 0 for i in initiatives)
    assert no_investment[0] > 0 and no_investment[1] == 0  # no investment: ROX is null
    assert company_rox == 0  # the company's month is never a ROX
    assert kinds == [("all",), ("hard",), ("soft",)]


def test_reviews_arrive_through_the_api_without_leaking_the_key(built, small_demo) -> None:
    _, warehouse = built
    served = json.loads((small_demo.landing / "demo_api" / "trustpilot_reviews.json").read_text())
    expected = sum(len(reviews) for reviews in served.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        api = con.execute("select count(distinct review_id) from raw.trustpilot_reviews").fetchall()
        pages = con.execute("select count(*) from raw.review_api_pages").fetchall()
        staged = dict(
            con.execute(
                "select provider, count(*) from staging.stg_reviews__reviews group by 1"
            ).fetchall()
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
        moments = {
            (scope_id, touchpoint): (is_moment, ci_low, touchpoints)
            for scope_id, touchpoint, is_moment, ci_low, touchpoints in con.execute(
                "select scope_id, touchpoint_id, is_moment_that_matters, importance_pct_ci_low, "
                "count(*) over (partition by scope_type, scope_id) "
                "from marts.moments_that_matter where scope_type in ('company', 'job')"
            ).fetchall()
        }
        heatmap_flags = con.execute(
            "select distinct job, touchpoint_id, is_moment_that_matters from marts.journey_heatmap"
        ).fetchall()
    pain = (
        cells.assign(pain=cells["volume"] * (cells["heat_label"] == "pain"))
        .groupby("touchpoint_id")[["pain", "volume"]]
        .sum()
    )
    pain_share = pain["pain"] / pain["volume"]
    assert pain_share.idxmax() == small_demo.truth["pain_touchpoint"]
    assert pain_share.max() > 0.5
    # About eighty NPS answers here: too few for the driver analysis to recover the planted
    # driver (the default company does: tests/integration/test_planted_truth.py). What holds at
    # any size: the heatmap's flag is the analysis' (the job's row, else the company's), and
    # only a touchpoint whose interval clears the mean importance is a moment.
    for job, touchpoint, is_moment in heatmap_flags:
        row = moments.get((job, touchpoint), moments.get(("all", touchpoint)))
        assert is_moment == (row is not None and row[0]), (job, touchpoint)
    for is_moment, ci_low, touchpoints in moments.values():
        assert not is_moment or ci_low > 100 / touchpoints
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
    assert "Return on experience and OKRs:" in text and "INI-01" in text and "OKR O-" in text
    assert str(warehouse) in text

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    bare = render(empty)
    assert "Headline KPIs" not in bare and "Customer experience" not in bare


@pytest.mark.browser
def test_the_report_is_written_and_every_chart_draws_offline_in_chromium(built) -> None:
    import os

    from demo.summary import render
    from tests.integration.test_report_browser import (
        ARTIFACTS,
        assert_clean,
        expected_figures,
        inspect_report,
    )

    result, warehouse = built
    report = warehouse.parent / "report" / "index.html"
    events = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["report", "cx_report"])
    ]
    assert len(events) == 1 and report.exists()
    metadata = events[0].materialization.metadata
    assert metadata["path"].value == str(report)
    assert metadata["bytes"].value == report.stat().st_size
    assert f"Report: {report}" in render(warehouse)

    figures, notices = expected_figures(warehouse)
    check = inspect_report(report, ARTIFACTS / "report.png")

    assert_clean(check)
    assert figures <= set(check.figures), sorted(figures - set(check.figures))
    assert set(check.notices) == {f"marts.{m}" for m in notices}
    assert sorted(metadata["sections_missing"].value) == sorted(f"marts.{m}" for m in notices)
    ui = os.environ.get("ROX_DAGSTER_UI_URL") or "http://127.0.0.1:3000"
    for figure in check.figures.values():
        assert f", run {result.run_id}" in figure["caption"], figure["id"]
        assert figure["link"] == f"{ui}/assets/marts/{figure['mart'].removeprefix('marts.')}"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stages, touchpoints = con.execute(
            "select count(distinct stage_id), count(distinct touchpoint_id) "
            "from marts.journey_heatmap where segment = 'all' and month_start in ("
            "select distinct month_start from marts.journey_heatmap "
            "order by month_start desc limit 3)"
        ).fetchall()[0]
    heatmaps = [f for f in check.figures.values() if f["id"].startswith("journey-heatmap-")]
    assert heatmaps and {f["cells"] for f in heatmaps} == {stages * touchpoints}


def test_the_marts_are_published_with_row_counts_schemas_and_lineage(built) -> None:
    result, warehouse = built
    events = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    published = Path(events["published/marts"]["path"].value)
    assert published == warehouse.parent / "rox_marts.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        expected = {
            t: con.execute(f"select count(*) from marts.{t}").fetchall()[0][0] for (t,) in marts
        }
    with duckdb.connect(str(published), read_only=True) as con:
        declared = dict(con.execute("select table_name, row_count from _published").fetchall())
    assert declared == expected and declared["business_kpis"] == 24
    parquet = warehouse.parent / "published" / "current" / "business_kpis.parquet"
    assert duckdb.sql(f"select count(*) from '{parquet}'").fetchall()[0][0] == 24

    kpis = events["marts/business_kpis"]
    assert kpis["dagster/row_count"].value == 24
    assert "month_start" in {c.name for c in kpis["dagster/column_schema"].schema.columns}
    lineage = kpis["dagster/column_lineage"].value.deps_by_column
    assert lineage["revenue_eur"]
    assert {dep.asset_key.path[0] for dep in lineage["revenue_eur"]} <= {"staging", "intermediate"}
    clv = events["marts/customer_clv"]
    assert clv["dagster/row_count"].value > 0
    assert "p_alive" in {c.name for c in clv["dagster/column_schema"].schema.columns}
    orders = events["raw/salesforce_orders"]
    assert "dagster/last_updated_timestamp" in orders and "dagster/column_schema" in orders


def test_the_python_marts_write_exactly_their_documented_columns(built) -> None:
    assert_marts_match_their_docs(built[1])


# Percent columns that are signed by definition (documented so in their marts.yml): an error
# of a prediction, under (negative) or over (positive) what happened.
SIGNED_PERCENTS = {("clv_backtest", "total_error_pct")}


def test_one_unit_convention_for_rates_shares_and_percents_across_every_mart(built) -> None:
    """*_rate and *_share (and share_*) columns are fractions 0-1, *_pct columns 0-100; the
    catalogue's *_rate metrics are fractions wherever their values appear."""
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type in ('DOUBLE', 'FLOAT', 'DECIMAL', "
            "'INTEGER', 'BIGINT', 'HUGEINT') and (column_name like '%\\_rate' escape '\\' "
            "or column_name like '%\\_share' escape '\\' or column_name like 'share\\_%' "
            "escape '\\' or column_name like '%\\_pct' escape '\\') order by 1, 2"
        ).fetchall()
        ranges = {
            (table, column): con.execute(
                f"select min({column}), max({column}), count({column}) from marts.{table}"
            ).fetchall()[0]
            for table, column in columns
        }
        metric_rates = con.execute(
            "select metric, min(value), max(value) from marts.metric_values "
            "where metric like '%\\_rate' escape '\\' group by 1 order by 1"
        ).fetchall()
        okr_rates = con.execute(
            "select metric, least(min(baseline), min(target), min(actual)), "
            "greatest(max(baseline), max(target), max(actual)) from marts.okr_progress "
            "where metric like '%\\_rate' escape '\\' group by 1"
        ).fetchall()
    assert ("rox_score", "churn_rate") in ranges and ("business_kpis", "churn_rate") in ranges
    for (table, column), (low, high, n) in ranges.items():
        if n == 0:
            continue
        if (table, column) in SIGNED_PERCENTS:
            assert low >= -100.0, (table, column, low, high)
            continue
        top = 100.0 if column.endswith("_pct") else 1.0
        assert low >= 0.0 and high <= top + 1e-9, (table, column, low, high)
    assert {m for m, _, _ in metric_rates} == {"churn_rate", "repeat_purchase_rate", "return_rate"}
    for metric, low, high in [*metric_rates, *okr_rates]:
        assert low >= 0.0 and high <= 1.0, (metric, low, high)
