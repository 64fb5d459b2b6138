"""Daily partitions of the date-keyed facts (dbt models tagged `daily`)."""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg

# The first day with data; override for another company's history (`ROX_PARTITIONS_START`).
DEFAULT_START = "2024-11-01"

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=os.environ.get("ROX_PARTITIONS_START") or DEFAULT_START,
    timezone="UTC",
)


def partition_window_vars(window: dg.TimeWindow) -> dict[str, str]:
    """dbt vars of a partition (or range) window: the first and last day, inclusive."""
    last_day = window.end - dt.timedelta(days=1)
    return {"min_date": window.start.date().isoformat(), "max_date": last_day.date().isoformat()}
