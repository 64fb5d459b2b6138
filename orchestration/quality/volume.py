"""The volume gate as a WARN check: per source, a day's records against the trailing median.

The statistic is expectations/volume_gate.py; this reads the dbt model int_source_daily_volumes
and reports the spikes (a warning never blocks: a real sale day can be a spike too).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.warehouse_reads import read_relation

VOLUMES = dg.AssetKey(["intermediate", "int_source_daily_volumes"])


@dg.asset_check(
    asset=VOLUMES,
    name="volume_spikes",
    pool=WAREHOUSE_POOL,
    description=(
        "Warns when one of a source's latest days holds many times the records of its "
        "trailing median (expectations/volume_gate.py)."
    ),
)
def source_volume_gate(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    from expectations.volume_gate import (
        JUDGED_DAYS,
        MAX_RATIO,
        TRAILING_DAYS,
        volume_spikes,
    )

    with duckdb.get_connection() as con:
        daily = read_relation(
            con, "intermediate.int_source_daily_volumes", order_by=["source", "volume_date"]
        )
    spikes = volume_spikes(daily)
    table = "\n".join(
        ["| source | day | records | trailing median | ratio |", "| --- | --- | --- | --- | --- |"]
        + [
            f"| {s.source} | {s.day.date()} | {s.records:,} | {s.trailing_median:g} | "
            f"{s.ratio:.1f} |"
            for s in spikes
        ]
    )
    rule = (
        f"a day above {MAX_RATIO:g}x the median of the {TRAILING_DAYS} days before it, "
        f"in each source's latest {JUDGED_DAYS} days"
    )
    return dg.AssetCheckResult(
        passed=not spikes,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"volume spike: {', '.join(sorted({s.source for s in spikes}))} ({rule})"
            if spikes
            else f"no volume spike ({rule})"
        ),
        metadata={
            "spikes": dg.MetadataValue.int(len(spikes)),
            "sources": dg.MetadataValue.int(int(daily["source"].nunique())),
            "spike_days": dg.MetadataValue.md(table),
        },
    )
