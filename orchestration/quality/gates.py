"""How a Great Expectations suite becomes a blocking asset check that stops the layers after it.

Every raw table, staging view and mart has one ERROR-severity check running its suite (one GE
validation on only the suite's columns) plus the table-level gates: row count against the
previous successful run, load freshness (raw), personal data (marts). A failed check writes an
offline HTML page to `<warehouse dir>/validation/` and links it from its metadata.
"""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from expectations.html_page import write_validation_page
from expectations.runner import to_markdown, validate_table, with_results
from expectations.spec import Expect
from expectations.table_checks import (
    RowCountBounds,
    freshness_outcome,
    personal_data_outcomes,
    row_count_change_outcome,
)
from orchestration.resources import WAREHOUSE_POOL

# Raw tables are loaded by this pipeline, so `_loaded_at` is fresh right after a load. The CRM
# exports arrive daily (48 h allows one missed day); surveys and app-store exports weekly.
# A stale source warns by default (the `freshness_check` WARN checks, quality/freshness.py): one
# late export should not stop the other sources' new data from reaching the marts, nor a re-run
# of files already loaded. ROX_BLOCK_ON_STALE_SOURCES=1 makes load freshness part of the
# blocking raw gates as well.
BLOCK_ON_STALE_SOURCES = os.environ.get("ROX_BLOCK_ON_STALE_SOURCES", "") == "1"
DAILY_LOAD_AGE = dt.timedelta(hours=48)
WEEKLY_LOAD_AGE = dt.timedelta(days=9)
WEEKLY_LOADED = ("survey_answers", "google_play_reviews", "app_store_reviews")
# The review API table records `fetched_at` per page, not a file's `_loaded_at`.
NOT_FILE_LOADED = ("trustpilot_reviews",)
# Row-count bounds per table where the default (-50% .. x10) does not fit; none needed yet.
ROW_COUNT_BOUNDS: dict[str, RowCountBounds] = {}
VALIDATION_DIR = "validation"


def _previous_row_count(
    context: dg.AssetCheckExecutionContext, key: dg.AssetCheckKey
) -> int | None:
    """Rows validated by the last successful evaluation of this check, if any."""
    # Dagster exports no public name for the status filter of the check history.
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    records = context.instance.event_log_storage.get_asset_check_execution_history(
        key, limit=1, status={AssetCheckExecutionRecordStatus.SUCCEEDED}
    )
    if not records or records[0].event is None:
        return None
    evaluation = records[0].event.dagster_event.event_specific_data
    value = evaluation.metadata.get("rows_validated")
    return None if value is None else int(value.value)


def build_suite_check(
    table: str,
    expectations: list[Expect],
    suite: str,
    schema: str = "raw",
    max_load_age: dt.timedelta | None = None,
    personal_data: bool = False,
) -> dg.AssetChecksDefinition:
    """A blocking ERROR-severity check of `<schema>/<table>` running `suite` on it."""
    asset_key = dg.AssetKey([schema, table])
    check_key = dg.AssetCheckKey(asset_key, f"ge_{suite}")
    bounds = ROW_COUNT_BOUNDS.get(table, RowCountBounds())
    gates = ["row count change"]
    gates += ["load freshness"] if max_load_age else []
    gates += ["personal data"] if personal_data else []

    @dg.asset_check(
        asset=asset_key,
        name=check_key.name,
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            f"Great Expectations suite `{suite}` ({len(expectations)} expectations) "
            f"plus {', '.join(gates)}."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
        qualified = f"{schema}.{table}"
        with duckdb.get_connection() as con:
            outcome = validate_table(con, qualified, expectations, suite)
            extra = personal_data_outcomes(con, qualified) if personal_data else []
            if max_load_age:
                extra.append(freshness_outcome(con, qualified, max_load_age))
        previous = _previous_row_count(context, check_key)
        extra.append(row_count_change_outcome(outcome.rows, previous, bounds))
        outcome = with_results(outcome, extra)
        metadata = {
            "result": dg.MetadataValue.md(to_markdown(outcome)),
            "rows_validated": outcome.rows,
            "failed_expectations": [f.expectation for f in outcome.failures],
        }
        if previous is not None:
            metadata["previous_rows_validated"] = previous
        if not outcome.success:
            folder = Path(duckdb.database).parent / VALIDATION_DIR
            page = write_validation_page(outcome, context.run.run_id, folder)
            metadata["validation_page"] = dg.MetadataValue.path(str(page))
            context.log.error(f"{qualified} failed {suite}: see {page}")
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{len(outcome.failures)} of {len(outcome.results)} expectations failed",
            metadata=metadata,
        )

    return _check


def build_raw_suite_checks(suite: str, tables: dict[str, list[Expect]]) -> list:
    """The blocking check of each raw table of a source's suite (load freshness as configured)."""
    checks = []
    for table, expectations in tables.items():
        age = WEEKLY_LOAD_AGE if table in WEEKLY_LOADED else DAILY_LOAD_AGE
        gated = BLOCK_ON_STALE_SOURCES and table not in NOT_FILE_LOADED
        checks.append(
            build_suite_check(table, expectations, suite, max_load_age=age if gated else None)
        )
    return checks
