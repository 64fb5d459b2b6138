"""The daily refresh of the whole graph, one daily partition at a time."""

from __future__ import annotations

import dagster as dg

daily_refresh_job = dg.define_asset_job(
    name="daily_refresh",
    # Partitioned by day, as inferred from the daily facts it selects (Dagster deprecates
    # naming the partitions here).
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest every source, then build staging, intermediate and marts; the daily facts "
        "(dbt tag `daily`) rebuild the run's partition (a day, or a backfill's range)."
    ),
)

# At 05:00 UTC, yesterday's partition: the exports of the day before have landed by then.
daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job,
    name="daily_refresh_schedule",
    hour_of_day=5,
    minute_of_hour=0,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
