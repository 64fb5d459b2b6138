"""Identity resolution: the share of each source's records linked to a customer, on the asset."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL

# Sources that carry an email or a reference to a customer; app-store reviews carry neither.
LINKABLE_SOURCES = ("survey_responses", "tickets", "reviews_trustpilot")
MIN_MATCH_RATE = 0.8


@dg.asset_check(
    asset=dg.AssetKey(["intermediate", "int_identity_match_rates"]),
    name="match_rates",
    pool=WAREHOUSE_POOL,
    description=(
        f"Match rate per source; warns when a linkable source ({', '.join(LINKABLE_SOURCES)}) "
        f"falls below {MIN_MATCH_RATE:.0%}."
    ),
)
def identity_match_rates(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        rows = con.execute(
            "select source, records, matched, match_rate "
            "from intermediate.int_identity_match_rates order by source"
        ).fetchall()
    low = [r[0] for r in rows if r[0] in LINKABLE_SOURCES and r[3] < MIN_MATCH_RATE]
    table = "\n".join(
        ["| source | records | matched | match rate |", "| --- | --- | --- | --- |"]
        + [f"| {s} | {n:,} | {m:,} | {rate:.1%} |" for s, n, m, rate in rows]
    )
    return dg.AssetCheckResult(
        passed=not low,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"low match rate: {', '.join(low)}" if low else "all linkable sources match",
        metadata={
            "match_rates": dg.MetadataValue.md(table),
            **{f"match_rate_{s}": dg.MetadataValue.float(float(rate)) for s, _, _, rate in rows},
        },
    )
