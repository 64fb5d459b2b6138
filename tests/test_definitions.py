"""The asset graph: keys, groups, checks, jobs and schedules (catches accidental renames)."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.dbt_project import rox_dbt_project

RAW = [
    "app_store_reviews",
    "google_play_reviews",
    "hubspot_contacts",
    "hubspot_deals",
    "marketing_spend",
    "pseudonym_salt",
    "salesforce_accounts",
    "salesforce_contacts",
    "salesforce_orders",
    "survey_answers",
    "text_signals",
    "trustpilot_reviews",
    "zendesk_tickets",
]
CONFIG = ["actions", "jobs", "journey_stages", "signal_touchpoints", "touchpoints"]
STAGING = [
    "stg_hubspot__contacts",
    "stg_hubspot__deals",
    "stg_marketing__spend",
    "stg_salesforce__accounts",
    "stg_salesforce__contacts",
    "stg_reviews",
    "stg_salesforce__orders",
    "stg_survey_answers",
    "stg_survey_responses",
    "stg_zendesk__tickets",
]
INTERMEDIATE = [
    "int_customer_latest_nps",
    "int_customer_months",
    "int_customer_rfm",
    "int_customer_rfm_backtest",
    "int_customers",
    "int_identity_match_rates",
    "int_month_spine",
    "int_orders_daily",
    "int_reviews_resolved",
    "int_survey_responses_resolved",
    "int_tickets_resolved",
    "int_touchpoint_loyalty",
]
MARTS = [
    "action_priorities",
    "business_kpis",
    "clv_backtest",
    "clv_by_segment",
    "customer_clv",
    "cx_value_chain",
    "driver_importance",
    "fct_experience_events",
    "journey_heatmap",
    "opportunity_map",
    "review_metrics_monthly",
    "survey_metrics_monthly",
]


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


def test_asset_keys_and_groups(defs) -> None:
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    expected = {
        **{f"raw/{n}": "raw" for n in RAW},
        **{f"config/{n}": "config" for n in CONFIG},
        **{f"staging/{n}": "staging" for n in STAGING},
        **{f"intermediate/{n}": "intermediate" for n in INTERMEDIATE},
        **{f"marts/{n}": "marts" for n in MARTS},
    }
    assert groups == expected


def test_lineage_runs_from_business_kpis_back_to_the_raw_sources(defs) -> None:
    graph = defs.resolve_asset_graph()
    ancestors = {
        k.to_user_string()
        for k in graph.upstream_key_iterator(dg.AssetKey(["marts", "business_kpis"]))
    }
    assert {
        "raw/salesforce_orders",
        "raw/zendesk_tickets",
        "raw/marketing_spend",
        "raw/pseudonym_salt",
    } <= ancestors


def test_raw_checks_are_blocking_great_expectations_suites(defs) -> None:
    graph = defs.resolve_asset_graph()
    checks = sorted(
        (k.asset_key.to_user_string(), k.name)
        for k in graph.asset_check_keys
        if k.name.startswith("ge_")
    )
    reviews = ["app_store_reviews", "google_play_reviews", "trustpilot_reviews"]
    not_crm = ("pseudonym_salt", "survey_answers", "text_signals", *reviews)
    crm = [n for n in RAW if n not in not_crm]
    assert checks == sorted(
        [(f"raw/{n}", "ge_raw_crm") for n in crm]
        + [("raw/survey_answers", "ge_raw_surveys")]
        + [(f"raw/{n}", "ge_raw_reviews") for n in reviews]
    )
    for check_def in defs.asset_checks:
        for spec in check_def.check_specs:
            assert spec.blocking == spec.name.startswith("ge_"), spec.name


def test_daily_job_schedule_and_survey_sensor(defs) -> None:
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.job_name == "daily_refresh"
    assert defs.resolve_job_def("daily_refresh") is not None
    sensor = defs.resolve_sensor_def("survey_files_sensor")
    assert sensor.job_name == "survey_refresh"
    survey_job_assets = {
        k.to_user_string()
        for k in defs.resolve_job_def("survey_refresh").asset_layer.selected_asset_keys
    }
    assert {"raw/survey_answers", "marts/survey_metrics_monthly"} <= survey_job_assets
    assert "raw/salesforce_orders" not in survey_job_assets


def test_dbt_reads_the_same_warehouse_as_dagster(defs, warehouse_env) -> None:
    profile = (rox_dbt_project.profiles_dir / "profiles.yml").read_text()
    assert "env_var('ROX_WAREHOUSE'" in profile
    from orchestration.definitions import build_definitions

    resources = build_definitions().resources
    assert resources["duckdb"].database == str(warehouse_env)
