"""Source freshness: a warning when a source has stopped delivering new data.

A raw asset materialises every day, even when no file arrived, so the time of its materialisation
says nothing about the source. Each raw asset records instead when its newest data arrived, as
`dagster/last_updated_timestamp` (the newest file in raw.load_log, the newest review fetched), and
these checks compare that time with the threshold. Dagster's newer `FreshnessPolicy` only looks at
the time of the materialisation, hence the last-update checks (and their sensor) here.
"""

import datetime as dt
import warnings

import dagster as dg

from common.business_settings import load_business_settings
from ingest.crm import CRM_SOURCES
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES
from ingest.survey_loader import SOURCE as SURVEY_SOURCE

# CRM systems export every day; surveys and app-store reviews are exported weekly; the review
# API syncs daily but a quiet week has no new reviews. The limits are dbt vars, read by
# `dbt source freshness` too (dbt_project.yml, `source_freshness_*`).
DAILY_SOURCES = [dg.AssetKey(["raw", s.name]) for s in CRM_SOURCES]
WEEKLY_SOURCES = [
    dg.AssetKey(["raw", SURVEY_SOURCE]),
    dg.AssetKey(["raw", "trustpilot_reviews"]),
    *(dg.AssetKey(["raw", s.name]) for s in REVIEW_EXPORT_SOURCES),
]
# Read once here: the WARN checks use the warn limits, the raw gates (quality/gates.py) the error
# limits as their load age.
_SETTINGS = load_business_settings()
DAILY_THRESHOLD = dt.timedelta(hours=_SETTINGS.source_freshness_warn_hours_daily)
WEEKLY_THRESHOLD = dt.timedelta(hours=_SETTINGS.source_freshness_warn_hours_weekly)
DAILY_LOAD_AGE = dt.timedelta(hours=_SETTINGS.source_freshness_error_hours_daily)
WEEKLY_LOAD_AGE = dt.timedelta(hours=_SETTINGS.source_freshness_error_hours_weekly)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "superseded": see the module docstring for why we use it
    source_freshness_checks = [
        *dg.build_last_update_freshness_checks(
            assets=DAILY_SOURCES, lower_bound_delta=DAILY_THRESHOLD
        ),
        *dg.build_last_update_freshness_checks(
            assets=WEEKLY_SOURCES, lower_bound_delta=WEEKLY_THRESHOLD
        ),
    ]
    # Between runs the sensor evaluates the checks again once they may have become overdue.
    source_freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=source_freshness_checks,
        name="source_freshness_sensor",
        minimum_interval_seconds=15 * 60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
