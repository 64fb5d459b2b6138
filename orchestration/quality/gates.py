"""How a Great Expectations suite becomes a blocking asset check that stops the layers after it.

Every raw table, staging view and mart has one ERROR-severity check. A raw table's check runs
its suite on the batches (files, API pages) not validated yet and quarantines rows that fail a
row-level expectation (expectations/raw_gate.py); a staging view's or a mart's runs its suite
on the whole table (rebuilt by the run). Each adds the table-level gates: row count against the
previous successful run, load freshness (raw, when configured), personal data (marts). A failed
check, or one that quarantined rows, writes an offline HTML page to `<warehouse dir>/validation/`
and links it from its metadata.
"""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import raw_parquet_dir
from expectations.html_page import write_validation_page
from expectations.quarantine import quarantine_markdown
from expectations.raw_gate import RawGateOutcome, validate_new_rows
from expectations.retire import retired_since
from expectations.runner import (
    SuiteOutcome,
    count_rows,
    to_markdown,
    validate_table,
    with_results,
)
from expectations.scope import FILE_BATCHES, RawBatches
from expectations.spec import Expect
from expectations.table_checks import (
    RowCountBounds,
    freshness_outcome,
    personal_data_outcomes,
    row_count_change_outcome,
)
from ingest.parquet_export import export_table_parquet
from orchestration.quality.freshness import DAILY_LOAD_AGE, WEEKLY_LOAD_AGE
from orchestration.resources import WAREHOUSE_POOL

# Raw tables are loaded by this pipeline, so `_loaded_at` is fresh right after a load. The CRM
# exports arrive daily, surveys and app-store exports weekly; the limits are dbt vars that
# `dbt source freshness` reads as its error_after (dbt_project.yml, `source_freshness_*`).
# A stale source warns by default (the `freshness_check` WARN checks, quality/freshness.py): one
# late export should not stop the other sources' new data from reaching the marts, nor a re-run
# of files already loaded. ROX_BLOCK_ON_STALE_SOURCES=1 makes load freshness part of the
# blocking raw gates as well.
BLOCK_ON_STALE_SOURCES = os.environ.get("ROX_BLOCK_ON_STALE_SOURCES", "") == "1"
WEEKLY_LOADED = ("survey_answers", "google_play_reviews", "app_store_reviews")
# The review API table records `fetched_at` per page, not a file's `_loaded_at`.
NOT_FILE_LOADED = ("trustpilot_reviews",)
# Row-count bounds per table where the default (-50% .. x10) does not fit. Report views whose
# rows are problems to fix: fixing them empties the view, a new file can bring many at once;
# their size is what their WARN checks report, not a gate. The ledger views are the newest
# export, a handful of rows the business may cut or extend at will.
ANY_ROW_COUNT = RowCountBounds(max_shrink=1.0, max_growth=float("inf"))
ROW_COUNT_BOUNDS: dict[str, RowCountBounds] = {
    "stg_surveys__rejected_answers": ANY_ROW_COUNT,
    "stg_surveys__unmapped_questions": ANY_ROW_COUNT,
    "stg_ledger__initiatives": ANY_ROW_COUNT,
    "stg_ledger__actions": ANY_ROW_COUNT,
}
VALIDATION_DIR = "validation"


def _previous_evaluation(
    context: dg.AssetCheckExecutionContext, key: dg.AssetCheckKey
) -> tuple[int | None, dt.datetime | None]:
    """Table rows at the last successful evaluation of this check, and when it ran (UTC)."""
    # Dagster exports no public name for the status filter of the check history.
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    records = context.instance.event_log_storage.get_asset_check_execution_history(
        key, limit=1, status={AssetCheckExecutionRecordStatus.SUCCEEDED}
    )
    if not records or records[0].event is None:
        return None, None
    evaluation = records[0].event.dagster_event.event_specific_data
    # `rows_validated` was the whole table's count before raw gates validated new rows only.
    value = evaluation.metadata.get("table_rows") or evaluation.metadata.get("rows_validated")
    at = dt.datetime.fromtimestamp(records[0].event.timestamp, dt.UTC).replace(tzinfo=None)
    return (None if value is None else int(value.value)), at


def build_suite_check(
    table: str,
    expectations: list[Expect],
    suite: str,
    schema: str = "raw",
    max_load_age: dt.timedelta | None = None,
    personal_data: bool = False,
    batches: RawBatches | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking ERROR-severity check of `<schema>/<table>` running `suite` on it: on its new
    batches (and quarantining bad rows) when `batches` says how a raw table's rows group."""
    asset_key = dg.AssetKey([schema, table])
    check_key = dg.AssetCheckKey(asset_key, f"ge_{suite}")
    bounds = ROW_COUNT_BOUNDS.get(table, RowCountBounds())
    gates = ["row count change"]
    gates += ["load freshness"] if max_load_age else []
    gates += ["personal data"] if personal_data else []
    what = "on the batches not validated yet, quarantining bad rows, " if batches else ""

    @dg.asset_check(
        asset=asset_key,
        name=check_key.name,
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            f"Great Expectations suite `{suite}` ({len(expectations)} expectations) "
            f"{what}plus {', '.join(gates)}."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
        qualified = f"{schema}.{table}"
        previous, previous_at = _previous_evaluation(context, check_key)
        retired = 0
        with duckdb.get_connection() as con:
            if batches is not None:
                gate = validate_new_rows(
                    con, qualified, expectations, suite, batches, context.run.run_id
                )
                if gate.rows_removed:  # Spark reads the raw tables' Parquet copies
                    export_table_parquet(con, schema, table, raw_parquet_dir())
                if previous_at is not None:
                    retired = retired_since(con, qualified, previous_at)
            elif expectations:
                gate = RawGateOutcome(validate_table(con, qualified, expectations, suite))
            table_rows = count_rows(con, qualified)
            if batches is None and not expectations:  # table-level gates only: no GE
                gate = RawGateOutcome(SuiteOutcome(suite, qualified, table_rows, []))
            extra = personal_data_outcomes(con, qualified) if personal_data else []
            if max_load_age:
                extra.append(freshness_outcome(con, qualified, max_load_age))
        extra.append(row_count_change_outcome(table_rows, previous, bounds, retired))
        outcome = with_results(gate.outcome, extra)
        metadata = {
            "result": dg.MetadataValue.md(to_markdown(outcome)),
            "rows_validated": outcome.rows,
            "table_rows": table_rows,
            "failed_expectations": [f.expectation for f in outcome.failures],
        }
        if previous is not None:
            metadata["previous_table_rows"] = previous
        if gate.quarantined:
            metadata["rows_quarantined"] = gate.rows_removed
            metadata["quarantine"] = dg.MetadataValue.md(quarantine_markdown(gate.quarantined))
            context.log.warning(
                f"{qualified}: {gate.rows_removed} row(s) failed {suite} and were moved to "
                "raw.quarantined_rows"
            )
        if gate.blocked:
            metadata["not_quarantined"] = gate.blocked
        if not outcome.success or gate.quarantined:
            folder = Path(duckdb.database).parent / VALIDATION_DIR
            page = write_validation_page(outcome, context.run.run_id, folder, gate.quarantined)
            metadata["validation_page"] = dg.MetadataValue.path(str(page))
            if not outcome.success:
                context.log.error(f"{qualified} failed {suite}: see {page}")
        failed = f"{len(outcome.failures)} of {len(outcome.results)} expectations failed"
        moved = f"; {gate.rows_removed} row(s) quarantined" if gate.quarantined else ""
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=failed + moved,
            metadata=metadata,
        )

    return _check


def build_raw_suite_checks(
    suite: str, tables: dict[str, list[Expect]], batches: dict[str, RawBatches] | None = None
) -> list:
    """The blocking check of each raw table of a source's suite (load freshness as configured);
    `batches` says how a table's rows group into batches where they are not files."""
    checks = []
    for table, expectations in tables.items():
        age = WEEKLY_LOAD_AGE if table in WEEKLY_LOADED else DAILY_LOAD_AGE
        gated = BLOCK_ON_STALE_SOURCES and table not in NOT_FILE_LOADED
        checks.append(
            build_suite_check(
                table,
                expectations,
                suite,
                max_load_age=age if gated else None,
                batches=(batches or {}).get(table, FILE_BATCHES),
            )
        )
    return checks
