"""Bookkeeping shared by every loader: which files were taken in, how, and the rows that were not.

`raw.load_log` has one line per attempt at a file (by SHA-256): `status` 'loaded' (its rows are
in raw; a file is loaded once however often it is dropped), 'failed' (nothing of it is in raw;
`reason` says why, naming file, row, field and value), 'retry' (an operator asked for the failed
file to be read again) or 'retired' (an operator gave up on it; `reason` says why).
`raw.rejected_rows` keeps every row a loader could not accept, with its line, field, value and
reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

RAW_SCHEMA = "raw"
LOAD_LOG = f"{RAW_SCHEMA}.load_log"
REJECTED_ROWS = f"{RAW_SCHEMA}.rejected_rows"
REJECTED_COLUMNS = ["line_number", "field", "reason", "raw_text", "value"]
LOADED, FAILED, RETRY, RETIRED = "loaded", "failed", "retry", "retired"

# Columns added after the first release: an existing warehouse gets them on its next load.
_LOAD_LOG_ADDED = (
    ("status", f"varchar default '{LOADED}'"),
    ("reason", "varchar"),
    ("missing_columns", "varchar"),
    ("records_in_file", "bigint"),
    ("config_sha256", "varchar"),
)


def ensure_bookkeeping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {LOAD_LOG} (
            source varchar not null,
            file_name varchar not null,
            file_sha256 varchar not null,
            archive_path varchar not null,
            file_bytes bigint not null,
            rows_loaded bigint not null,
            rows_rejected bigint not null,
            extra_columns varchar,
            loaded_at timestamp not null
        )
        """
    )
    for name, kind in _LOAD_LOG_ADDED:
        con.execute(f"alter table {LOAD_LOG} add column if not exists {name} {kind}")
    con.execute(
        f"""
        create table if not exists {REJECTED_ROWS} (
            source varchar not null,
            file_name varchar not null,
            file_sha256 varchar not null,
            line_number bigint,
            field varchar,
            reason varchar not null,
            raw_text varchar,
            rejected_at timestamp not null
        )
        """
    )
    con.execute(f"alter table {REJECTED_ROWS} add column if not exists value varchar")


def now_utc() -> dt.datetime:
    """The load time, as naive UTC (how the raw tables store timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FileState:
    """The latest attempt at a file's bytes: its status and the configuration it was read with."""

    status: str
    reason: str | None
    config_sha256: str | None


def file_state(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> FileState | None:
    """What happened last to these bytes in `source` ('loaded' wins over any later line)."""
    rows = con.execute(
        f"""
        select status, reason, config_sha256 from {LOAD_LOG}
        where source = ? and file_sha256 = ?
        order by status = '{LOADED}' desc, loaded_at desc limit 1
        """,
        [source, sha256],
    ).fetchall()
    return FileState(*rows[0]) if rows else None


def already_loaded(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> bool:
    state = file_state(con, source, sha256)
    return state is not None and state.status == LOADED


def record_load(
    con: duckdb.DuckDBPyConnection,
    source: str,
    file_name: str,
    sha256: str,
    archived: Path,
    rows_loaded: int,
    rows_rejected: int,
    loaded_at: dt.datetime,
    extra_columns: list[str] | None = None,
    *,
    status: str = LOADED,
    reason: str | None = None,
    missing_columns: list[str] | None = None,
    records_in_file: int | None = None,
    config_sha256: str | None = None,
) -> None:
    """One line of the load log: a file loaded (default) or failed (`status`, `reason`)."""
    con.execute(
        f"""
        insert into {LOAD_LOG} (source, file_name, file_sha256, archive_path, file_bytes,
            rows_loaded, rows_rejected, extra_columns, loaded_at, status, reason,
            missing_columns, records_in_file, config_sha256)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            source,
            file_name,
            sha256,
            str(archived),
            archived.stat().st_size,
            rows_loaded,
            rows_rejected,
            ",".join(extra_columns or []) or None,
            loaded_at,
            status,
            reason,
            ",".join(missing_columns or []) or None,
            records_in_file,
            config_sha256,
        ],
    )


def record_rejects(
    con: duckdb.DuckDBPyConnection,
    source: str,
    file_name: str,
    sha256: str,
    rejects: pd.DataFrame,
    rejected_at: dt.datetime,
) -> int:
    """Append rejected rows (line_number, field, reason, raw_text, value); return how many."""
    if rejects.empty:
        return 0
    frame = rejects.reindex(columns=REJECTED_COLUMNS).astype(object)
    frame = frame.where(frame.notna(), None)
    con.register("rox_rejects_frame", frame)
    try:
        con.execute(
            f"""
            insert into {REJECTED_ROWS} (source, file_name, file_sha256, line_number, field,
                reason, raw_text, rejected_at, value)
            select ?, ?, ?, line_number::bigint, field::varchar, reason::varchar,
                   raw_text::varchar, ?, value::varchar
            from rox_rejects_frame
            """,
            [source, file_name, sha256, rejected_at],
        )
    finally:
        con.unregister("rox_rejects_frame")
    return len(frame)


def outstanding_failures(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    """Failed files of `source` not replaced since: (file_name, sha256, reason, failed_at).

    A failed file counts until a file of the same name loads after it, or it is retired.
    """
    return con.execute(
        f"""
        with latest as (
            select * from {LOAD_LOG} where source = ?
            qualify row_number() over (
                partition by file_sha256 order by status = '{LOADED}' desc, loaded_at desc
            ) = 1
        )
        select f.file_name, f.file_sha256, f.reason, f.loaded_at
        from latest f
        where f.status = '{FAILED}'
          and not exists (
              select 1 from {LOAD_LOG} l
              where l.source = f.source and l.file_name = f.file_name
                and l.status = '{LOADED}' and l.loaded_at > f.loaded_at
          )
        order by f.loaded_at, f.file_name
        """,
        [source],
    ).fetchall()


def set_failed_file_status(
    con: duckdb.DuckDBPyConnection, source: str, sha256_prefix: str, status: str, why: str | None
) -> list[str]:
    """Mark a failed file 'retry' (read it again on the next load) or 'retired' (give up).

    Returns the names of the files changed; `sha256_prefix` may be the first characters.
    """
    if status not in (RETRY, RETIRED):
        raise ValueError(f"status must be {RETRY!r} or {RETIRED!r}, got {status!r}")
    if len(sha256_prefix) < 8:
        raise ValueError("give at least the first 8 characters of the file's SHA-256")
    note = f" | {status}: {why}" if why else ""
    rows = con.execute(
        f"""
        update {LOAD_LOG} set status = ?, reason = coalesce(reason, '') || ?
        where source = ? and starts_with(file_sha256, ?) and status = '{FAILED}'
        returning file_name
        """,
        [status, note, source, sha256_prefix],
    ).fetchall()
    return sorted({name for (name,) in rows})
