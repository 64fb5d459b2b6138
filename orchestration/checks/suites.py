"""Great Expectations suites as blocking asset checks: a failure stops the layers after it."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from expectations.raw_crm import RAW_CRM_SUITE
from expectations.raw_crm import SUITE_NAME as RAW_CRM
from expectations.raw_reviews import RAW_REVIEW_SUITE
from expectations.raw_reviews import SUITE_NAME as RAW_REVIEWS
from expectations.raw_surveys import RAW_SURVEY_SUITE
from expectations.raw_surveys import SUITE_NAME as RAW_SURVEYS
from expectations.runner import to_markdown, validate_table
from expectations.spec import Expect
from orchestration.resources import WAREHOUSE_POOL


def build_suite_check(
    table: str, expectations: list[Expect], suite: str
) -> dg.AssetChecksDefinition:
    """A blocking ERROR-severity check of `raw/<table>` running `suite` on `raw.<table>`."""

    @dg.asset_check(
        asset=dg.AssetKey(["raw", table]),
        name=f"ge_{suite}",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations suite `{suite}` ({len(expectations)} expectations).",
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            outcome = validate_table(con, f"raw.{table}", expectations, suite)
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


raw_suite_checks = [
    *(build_suite_check(t, e, RAW_CRM) for t, e in RAW_CRM_SUITE.items()),
    *(build_suite_check(t, e, RAW_SURVEYS) for t, e in RAW_SURVEY_SUITE.items()),
    *(build_suite_check(t, e, RAW_REVIEWS) for t, e in RAW_REVIEW_SUITE.items()),
]
