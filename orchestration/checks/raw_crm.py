"""The raw CRM suite as blocking asset checks: a failure stops staging from building."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
from expectations.runner import to_markdown, validate_table
from orchestration.resources import WAREHOUSE_POOL


def build_raw_crm_check(table: str) -> dg.AssetChecksDefinition:
    expectations = RAW_CRM_SUITE[table]

    @dg.asset_check(
        asset=dg.AssetKey(["raw", table]),
        name=f"ge_{SUITE_NAME}",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations suite `{SUITE_NAME}` ({len(expectations)} expectations).",
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            outcome = validate_table(con, f"raw.{table}", expectations, SUITE_NAME)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{len(outcome.failures)} of {len(outcome.results)} expectations failed",
            metadata={
                "result": dg.MetadataValue.md(to_markdown(outcome)),
                "rows_validated": outcome.rows,
                "failed_expectations": [f.expectation for f in outcome.failures],
            },
        )

    return _check


raw_crm_checks = [build_raw_crm_check(table) for table in RAW_CRM_SUITE]
