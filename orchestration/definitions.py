"""The Dagster code location: `defs`, loaded by workspace.yaml."""

from __future__ import annotations

import dagster as dg

from ingest.settings import export_resolved_paths
from orchestration.assets.clv import clv_marts
from orchestration.assets.dbt import dbt_layer_assets
from orchestration.assets.drivers import driver_marts
from orchestration.assets.ingest import pseudonym_salt, raw_crm_assets
from orchestration.assets.okr import okr_marts
from orchestration.assets.publish import published_marts
from orchestration.assets.report import cx_report
from orchestration.assets.reviews import review_export_assets, trustpilot_reviews
from orchestration.assets.rox import rox_marts
from orchestration.assets.surveys import survey_answers, survey_files_sensor, survey_refresh_job
from orchestration.assets.text_signals import text_signals
from orchestration.checks.freshness import source_freshness_checks, source_freshness_sensor
from orchestration.checks.identity import identity_match_rates
from orchestration.checks.suites import mart_suite_checks, raw_suite_checks, staging_suite_checks
from orchestration.resources import build_resources
from orchestration.schedules import daily_refresh_job, daily_refresh_schedule
from orchestration.sensors import export_files_sensor


def build_definitions() -> dg.Definitions:
    """Definitions bound to the paths in the environment (tests call this after setting them)."""
    export_resolved_paths()
    return dg.Definitions(
        assets=[
            pseudonym_salt,
            *raw_crm_assets,
            survey_answers,
            trustpilot_reviews,
            *review_export_assets,
            text_signals,
            *dbt_layer_assets,
            clv_marts,
            driver_marts,
            okr_marts,
            rox_marts,
            cx_report,
            published_marts,
        ],
        asset_checks=[
            *raw_suite_checks,
            *staging_suite_checks,
            *mart_suite_checks,
            identity_match_rates,
            *source_freshness_checks,
        ],
        jobs=[daily_refresh_job, survey_refresh_job],
        schedules=[daily_refresh_schedule],
        sensors=[survey_files_sensor, export_files_sensor, source_freshness_sensor],
        resources=build_resources(),
        # One process runs the steps in order: DuckDB takes one writer at a time anyway, and a
        # process per step would pay the imports (dagster, dbt, GE) again for every step.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
