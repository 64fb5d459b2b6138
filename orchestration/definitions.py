"""The Dagster code location: `defs`, loaded by workspace.yaml.

Each domain folder holds its assets, checks, sensors and jobs side by side; this module only
assembles them.
"""

from __future__ import annotations

import dagster as dg

from common.settings import export_resolved_paths
from orchestration.clv.assets import clv_marts
from orchestration.crm.assets import pseudonym_salt, raw_crm_assets
from orchestration.crm.checks import crm_failed_files_checks, crm_suite_checks
from orchestration.crm.sensors import export_files_sensor
from orchestration.drivers.assets import driver_marts
from orchestration.jobs import daily_refresh_job, daily_refresh_schedule
from orchestration.journey.assets import text_signals
from orchestration.journey.checks import identity_match_rates
from orchestration.okr.assets import metric_catalogue, okr_marts
from orchestration.publish.assets import published_marts
from orchestration.quality.checks import mart_suite_checks, staging_suite_checks
from orchestration.quality.freshness import source_freshness_checks, source_freshness_sensor
from orchestration.quality.volume import source_volume_gate
from orchestration.report.assets import cx_report
from orchestration.resources import build_resources
from orchestration.reviews.assets import review_export_assets, trustpilot_reviews
from orchestration.reviews.checks import review_failed_files_checks, review_suite_checks
from orchestration.rox.assets import rox_marts
from orchestration.rox.ledger import (
    ledger_failed_files_checks,
    ledger_suite_checks,
    raw_ledger_assets,
)
from orchestration.run_monitoring import in_process_executor
from orchestration.surveys.assets import survey_answers
from orchestration.surveys.checks import (
    survey_failed_files_checks,
    survey_mapping_checks,
    survey_suite_checks,
)
from orchestration.surveys.sensors import survey_files_sensor, survey_refresh_job
from orchestration.transform.assets import dbt_layer_assets


def build_definitions() -> dg.Definitions:
    """Definitions bound to the paths in the environment (tests call this after setting them)."""
    export_resolved_paths()
    return dg.Definitions(
        assets=[
            pseudonym_salt,
            *raw_crm_assets,
            *raw_ledger_assets,
            survey_answers,
            trustpilot_reviews,
            *review_export_assets,
            text_signals,
            metric_catalogue,
            *dbt_layer_assets,
            clv_marts,
            driver_marts,
            okr_marts,
            rox_marts,
            cx_report,
            published_marts,
        ],
        asset_checks=[
            *crm_suite_checks,
            *survey_suite_checks,
            *review_suite_checks,
            *crm_failed_files_checks,
            *ledger_suite_checks,
            *ledger_failed_files_checks,
            *survey_failed_files_checks,
            *survey_mapping_checks,
            *review_failed_files_checks,
            *staging_suite_checks,
            *mart_suite_checks,
            identity_match_rates,
            *source_freshness_checks,
            source_volume_gate,
        ],
        jobs=[daily_refresh_job, survey_refresh_job],
        schedules=[daily_refresh_schedule],
        sensors=[survey_files_sensor, export_files_sensor, source_freshness_sensor],
        resources=build_resources(),
        # One process runs the steps in order: DuckDB takes one writer at a time anyway, and a
        # process per step would pay the imports (dagster, dbt, GE) again for every step. It
        # first fails the runs whose process died, freeing their pool slots (run_monitoring.py).
        executor=in_process_executor,
    )


defs = build_definitions()
