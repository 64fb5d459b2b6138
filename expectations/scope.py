"""Which rows of a raw table a gate validates: the batches (files, API pages) not validated yet.

Raw tables only grow by batches: every export file lands as one batch (`_file_sha256`), every
page of the review API as one. A raw gate validates the rows of the batches it has not passed
before under the same suite, then records them in `raw.validated_batches`; so a daily run
checks the files that run loaded, a re-run checks nothing twice, a run after a failed one
checks the failed files again, and a changed suite re-validates every batch once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb

from common.sql import quote_literal
from expectations.spec import Expect

VALIDATED_TABLE = "raw.validated_batches"


@dataclass(frozen=True)
class RawBatches:
    """How the rows of one raw table group into the batches that added them, and how a row is
    named in a report (file and line)."""

    # SQL (on the raw table's columns) of the batch a row belongs to.
    batch_sql: str = "_file_sha256"
    # SQL of what the report calls the file: the export's name, or the API page.
    file_sql: str = "_source_file"
    # SQL of the line the row starts on, when the table stores it (survey answers do).
    line_sql: str | None = None
    # The files are CSV exports: a row's line is counted in the archived file
    # (`raw.load_log.archive_path`). Otherwise a row is named by its position in the batch.
    csv_files: bool = True


FILE_BATCHES = RawBatches()


def ensure_validated_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {VALIDATED_TABLE} (
            table_name varchar not null,
            batch_id varchar not null,
            suite varchar not null,
            suite_fingerprint varchar not null,
            rows_validated bigint not null,
            rows_quarantined bigint not null,
            run_id varchar,
            validated_at timestamp not null
        )
        """
    )


def suite_fingerprint(expectations: list[Expect]) -> str:
    """A hash of what the suite checks; arguments that move with the clock (the upper bound of
    a plausible date) do not count, so only a changed suite re-validates old batches."""
    parts = [
        [e.type, {k: v for k, v in e.kwargs.items() if k not in e.volatile}] for e in expectations
    ]
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pending_where(table: str, batches: RawBatches, fingerprint: str) -> str:
    """SQL condition on `table`'s rows: in a batch not yet validated under `fingerprint`."""
    return (
        f"coalesce({batches.batch_sql}, '') not in (select batch_id from {VALIDATED_TABLE} "
        f"where table_name = {quote_literal(table)} "
        f"and suite_fingerprint = {quote_literal(fingerprint)})"
    )


def pending_batches(
    con: duckdb.DuckDBPyConnection, table: str, batches: RawBatches, where: str
) -> dict[str, int]:
    """The pending batches (`where` from pending_where) with their row counts."""
    rows = con.execute(
        f"select coalesce({batches.batch_sql}, '') as batch, count(*) from {table} "
        f"where {where} group by 1 order by 1"
    ).fetchall()
    return dict(rows)


def record_validated(
    con: duckdb.DuckDBPyConnection,
    table: str,
    suite: str,
    fingerprint: str,
    validated: dict[str, int],
    quarantined: dict[str, int],
    run_id: str | None,
) -> None:
    """Record the batches a gate passed (rows validated and quarantined per batch)."""
    if not validated:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        f"insert into {VALIDATED_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [table, batch, suite, fingerprint, rows, quarantined.get(batch, 0), run_id, now]
            for batch, rows in validated.items()
        ],
    )


def scope_text(batches: dict[str, int]) -> str:
    """How the report names what a raw gate validated."""
    if not batches:
        return "no new batches since the last validation"
    return f"the {sum(batches.values()):,} rows of {len(batches)} new batch(es)"
