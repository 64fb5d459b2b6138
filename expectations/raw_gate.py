"""A raw table's gate: its suite on the batches not validated yet, bad rows quarantined.

Row-level failures (a null, a value out of range, a duplicate id) move the failing rows to
`raw.quarantined_rows`, and the suite runs again on the rest of the batch, which then passes.
A failure that is not a few rows blocks: a tolerated share (`mostly`), more than
QUARANTINE_MAX_ROWS rows for one expectation, or more than QUARANTINE_MAX_SHARE of a batch's rows.
The samples of a blocking failure name their file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb

from expectations.quarantine import (
    QUARANTINE_MAX_ROWS,
    QUARANTINE_MAX_SHARE,
    BadRow,
    bad_rows,
    failing_rows,
    move_to_quarantine,
)
from expectations.runner import SAMPLE_VALUES, SuiteOutcome, validate_table
from expectations.scope import (
    RawBatches,
    ensure_validated_table,
    pending_batches,
    pending_where,
    record_validated,
    scope_text,
    suite_fingerprint,
)
from expectations.spec import Expect


@dataclass(frozen=True)
class RawGateOutcome:
    outcome: SuiteOutcome  # the suite on the new batches (after quarantine: on what is left)
    quarantined: list[BadRow] = field(default_factory=list)
    rows_removed: int = 0
    blocked: str | None = None  # why failing rows were not quarantined

    @property
    def success(self) -> bool:
        return self.outcome.success


def validate_new_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    expectations: list[Expect],
    suite: str,
    batches: RawBatches,
    run_id: str | None = None,
) -> RawGateOutcome:
    """Validate the rows of `table`'s pending batches, quarantine row-level failures, and
    record the batches as validated when the suite passes on them."""
    ensure_validated_table(con)
    fingerprint = suite_fingerprint(expectations)
    where = pending_where(table, batches, fingerprint)
    pending = pending_batches(con, table, batches, where)
    scope = scope_text(pending)
    if not pending or not expectations:
        outcome = SuiteOutcome(suite, table, sum(pending.values()), [], scope)
        record_validated(con, table, suite, fingerprint, pending, {}, run_id)
        return RawGateOutcome(outcome)
    outcome = validate_table(con, table, expectations, suite, where, scope)
    failed = [i for i, r in enumerate(outcome.results) if not r.success]
    rows_level = [i for i in failed if expectations[i].row_level]
    result = RawGateOutcome(outcome)
    if rows_level:
        chosen = [expectations[i] for i in rows_level]
        ids = failing_rows(con, table, chosen, where, QUARANTINE_MAX_ROWS)
        rows = bad_rows(con, table, batches, chosen, ids)
        blocked = _why_not_quarantined(outcome, failed, rows_level, rows, pending)
        if blocked is None:
            removed = move_to_quarantine(con, table, suite, rows, run_id)
            scope += f", {removed:,} quarantined"
            outcome = validate_table(con, table, expectations, suite, where, scope)
            result = RawGateOutcome(outcome, rows, removed)
        else:
            located = _located_samples(outcome, rows_level, rows)
            result = RawGateOutcome(located, blocked=blocked)
    if result.success:
        quarantined: dict[str, int] = {}
        for batch in {(r.location.batch_id, r.row_id) for r in result.quarantined if r.location}:
            quarantined[batch[0]] = quarantined.get(batch[0], 0) + 1
        record_validated(con, table, suite, fingerprint, pending, quarantined, run_id)
    return result


def _why_not_quarantined(
    outcome: SuiteOutcome,
    failed: list[int],
    rows_level: list[int],
    rows: list[BadRow],
    pending: dict[str, int],
) -> str | None:
    others = [outcome.results[i].expectation for i in failed if i not in rows_level]
    if others:
        return f"not a row-level failure: {', '.join(others)}"
    for i in rows_level:
        count = outcome.results[i].unexpected_count or 0
        if count > QUARANTINE_MAX_ROWS:
            return (
                f"{count:,} rows fail {outcome.results[i].expectation} (more than "
                f"{QUARANTINE_MAX_ROWS} is a broken export, not a few bad rows)"
            )
    bad: dict[str, set[int]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r.location:
            bad.setdefault(r.location.batch_id, set()).add(r.row_id)
            names[r.location.batch_id] = r.location.file_name
    for batch, ids in sorted(bad.items()):
        total = pending.get(batch, 0)
        if len(ids) > QUARANTINE_MAX_SHARE * total:
            return (
                f"{len(ids):,} of the {total:,} new rows of {names[batch]} fail (more than "
                f"{QUARANTINE_MAX_SHARE:.0%} is a broken export, not a few bad rows)"
            )
    return None


def _located_samples(
    outcome: SuiteOutcome, rows_level: list[int], rows: list[BadRow]
) -> SuiteOutcome:
    """The outcome with each row-level failure's samples named by file and line: the first
    failing rows of each file, in file order."""
    results = list(outcome.results)
    for i in rows_level:
        mine = sorted(
            (r for r in rows if r.expectation == results[i].expectation),
            key=lambda r: (
                (r.location.file_name, r.location.record_number) if r.location else ("", 0)
            ),
        )[:SAMPLE_VALUES]
        if mine:
            results[i] = replace(
                results[i],
                sample_values=[r.value for r in mine],
                sample_locations=[r.location.label if r.location else "" for r in mine],
            )
    return replace(outcome, results=results)
