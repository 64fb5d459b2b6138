"""The asset graph: keys, groups, checks, jobs and schedules (catches accidental renames)."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.transform.project import rox_dbt_project

RAW = [
    "app_store_reviews",
    "google_play_reviews",
    "hubspot_contacts",
    "hubspot_deals",
    "ledger_actions",
    "ledger_initiatives",
    "marketing_spend",
    "pseudonym_salt",
    "salesforce_accounts",
    "salesforce_contacts",
    "salesforce_orders",
    "survey_answers",
    "survey_mapping_labels",
    "survey_mapping_questions",
    "survey_mapping_surveys",
    "survey_responses",
    "text_signals",
    "trustpilot_reviews",
    "zendesk_tickets",
]
LEDGER = ("ledger_actions", "ledger_initiatives")
CONFIG = [
    "actions",
    "initiatives",
    "jobs",
    "journey_stages",
    "metric_catalogue",
    "signal_touchpoints",
    "touchpoints",
    "value_streams",
]
STAGING = [
    "stg_feedback__texts",
    "stg_hubspot__contacts",
    "stg_hubspot__deals",
    "stg_ledger__actions",
    "stg_ledger__initiatives",
    "stg_marketing__spend",
    "stg_salesforce__accounts",
    "stg_salesforce__contacts",
    "stg_reviews__reviews",
    "stg_salesforce__orders",
    "stg_surveys__answer_scoring",
    "stg_surveys__answers",
    "stg_surveys__rejected_answers",
    "stg_surveys__responses",
    "stg_surveys__unmapped_questions",
    "stg_zendesk__tickets",
]
INTERMEDIATE = [
    "int_actions",
    "int_active_customers_monthly",
    "int_customer_keys",
    "int_customer_latest_nps",
    "int_customer_forward_margin",
    "int_customer_months",
    "int_customer_operations",
    "int_customer_outcomes",
    "int_customer_rfm",
    "int_customer_rfm_backtest",
    "int_customer_touchpoint_scores",
    "int_customers",
    "int_experience_events",
    "int_identity_match_rates",
    "int_initiatives",
    "int_journey_touchpoints",
    "int_known_scopes",
    "int_month_spine",
    "int_orders_daily",
    "int_reviews_daily",
    "int_reviews_resolved",
    "int_source_daily_volumes",
    "int_survey_answers_daily",
    "int_survey_responses_resolved",
    "int_team_pulse_monthly",
    "int_tickets_daily",
    "int_tickets_resolved",
]
MARTS = [
    "action_priorities",
    "action_roadmap",
    "business_kpis",
    "clv_backtest",
    "clv_by_segment",
    "customer_clv",
    "cx_value_chain",
    "driver_importance",
    "ex_cx_link",
    "fct_experience_events",
    "fct_metric_observations",
    "frontline_voice",
    "journey_heatmap",
    "metric_values",
    "moments_that_matter",
    "okr_company_progress",
    "okr_objective_progress",
    "okr_progress",
    "okr_value_stream_progress",
    "opportunity_map",
    "review_metrics_monthly",
    "rox_by_initiative",
    "rox_portfolio",
    "rox_score",
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
        # Scores the staging texts; its table sits beside raw as the dbt source raw.text_signals.
        "raw/text_signals": "staging",
        "report/cx_report": "report",
        "published/marts": "published",
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


def test_every_raw_staging_and_mart_table_has_a_blocking_great_expectations_gate(defs) -> None:
    graph = defs.resolve_asset_graph()
    checks = sorted(
        (k.asset_key.to_user_string(), k.name)
        for k in graph.asset_check_keys
        if k.name.startswith("ge_")
    )
    reviews = ["app_store_reviews", "google_play_reviews", "trustpilot_reviews"]
    surveys = [n for n in RAW if n.startswith("survey_")]
    ledger = ["ledger_actions", "ledger_initiatives"]
    not_crm = ("pseudonym_salt", *surveys, "text_signals", *reviews, *ledger)
    crm = [n for n in RAW if n not in not_crm]
    assert checks == sorted(
        [(f"raw/{n}", "ge_raw_crm") for n in crm]
        + [("raw/survey_answers", "ge_raw_surveys")]
        + [(f"raw/{n}", "ge_raw_reviews") for n in reviews]
        + [(f"raw/{n}", "ge_raw_ledger") for n in ledger]
        + [(f"staging/{n}", "ge_staging") for n in STAGING]
        + [(f"marts/{n}", "ge_marts") for n in MARTS]
    )
    for check_def in defs.asset_checks:
        for spec in check_def.check_specs:
            assert spec.blocking == spec.name.startswith("ge_"), spec.name


def test_daily_job_schedule_and_survey_sensor(defs) -> None:
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.job_name == "daily_refresh"
    daily = defs.resolve_job_def("daily_refresh")
    assert daily.partitions_def is not None
    graph = defs.resolve_asset_graph()
    partitioned = sorted(
        key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).partitions_def
    )
    assert partitioned == [
        "intermediate/int_orders_daily",
        "intermediate/int_reviews_daily",
        "intermediate/int_survey_answers_daily",
        "intermediate/int_tickets_daily",
    ]
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


def test_freshness_checks_jobs_schedules_and_sensors(defs) -> None:
    freshness = sorted(
        k.asset_key.to_user_string()
        for check_def in defs.asset_checks
        for k in check_def.check_keys
        if k.name == "freshness_check"
    )
    # The ledger changes when the business decides: no load freshness.
    configuration = ("pseudonym_salt", "text_signals", "survey_responses", *LEDGER)
    assert freshness == sorted(
        f"raw/{n}" for n in RAW if n not in configuration and not n.startswith("survey_mapping_")
    )
    assert sorted(job.name for job in defs.jobs) == ["daily_refresh", "survey_refresh"]
    assert sorted(schedule.name for schedule in defs.schedules) == ["daily_refresh_schedule"]
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    assert sorted(sensors) == [
        "export_files_sensor",
        "source_freshness_sensor",
        "survey_files_sensor",
    ]
    assert sensors["export_files_sensor"].job_name == "daily_refresh"
    running = dg.DefaultSensorStatus.RUNNING
    assert all(sensor.default_status == running for sensor in sensors.values())


def test_published_marts_wait_for_every_mart(defs) -> None:
    from orchestration.marts import mart_asset_keys

    graph = defs.resolve_asset_graph()
    published = graph.get(dg.AssetKey(["published", "marts"]))
    assert set(published.parent_keys) == set(mart_asset_keys())
    assert graph.assets_def_for_key(published.key).op.pool == "duckdb_warehouse"


def test_dbt_descriptions_owners_grain_and_columns_reach_the_assets(defs) -> None:
    from orchestration.transform.project import RoxDbtTranslator

    kpis = defs.resolve_asset_graph().get(dg.AssetKey(["marts", "business_kpis"]))
    assert kpis.description.startswith("One row per calendar month")
    assert "team:cx-analytics" in kpis.owners
    assert kpis.metadata["grain"] == "month"
    columns = {c.name: c.description for c in kpis.metadata["dagster/column_schema"].columns}
    assert columns["month_start"] == "First day of the month."
    translator = RoxDbtTranslator()
    props = {
        "resource_type": "model",
        "name": "m",
        "fqn": ["rox", "marts", "m"],
        "tags": ["finance"],
        "config": {"meta": {"owner": "finance-analytics", "grain": "day"}},
    }
    assert translator.get_tags(props) == {"finance": ""}
    assert translator.get_owners(props) == ["team:cx-analytics", "team:finance-analytics"]
    assert translator.get_metadata(props)["grain"] == "day"


def test_every_file_source_has_a_failed_files_warning(defs) -> None:
    graph = defs.resolve_asset_graph()
    warned = sorted(
        k.asset_key.to_user_string() for k in graph.asset_check_keys if k.name == "failed_files"
    )
    file_sources = [n for n in RAW if n not in ("pseudonym_salt", "text_signals")]
    file_sources = [n for n in file_sources if not n.startswith("survey_mapping_")]
    file_sources = [n for n in file_sources if n not in ("trustpilot_reviews", "survey_responses")]
    assert warned == sorted(f"raw/{n}" for n in file_sources)
