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


def latest_partition_key() -> str:
    """Yesterday's partition (the last complete day): what a run without a date builds."""
    key = daily_partitions.get_last_partition_key()
    if key is None:
        raise RuntimeError("no daily partition yet: ROX_PARTITIONS_START is in the future")
    return key
