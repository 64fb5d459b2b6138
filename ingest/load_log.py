"""Bookkeeping shared by every loader: which files were loaded, and the rows that were not.

`raw.load_log` has one line per loaded file (by SHA-256), so a file is loaded once however often
it is dropped; `raw.rejected_rows` keeps every row a loader could not accept, with its reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

RAW_SCHEMA = "raw"
REJECTED_COLUMNS = ["line_number", "field", "reason", "raw_text"]


def ensure_bookkeeping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {RAW_SCHEMA}.load_log (
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
    con.execute(
        f"""
        create table if not exists {RAW_SCHEMA}.rejected_rows (
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


def now_utc() -> dt.datetime:
    """The load time, as naive UTC (how the raw tables store timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def already_loaded(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> bool:
    return bool(
        con.execute(
            f"select count(*) from {RAW_SCHEMA}.load_log where source = ? and file_sha256 = ?",
            [source, sha256],
        ).fetchall()[0][0]
    )


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
) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    """Append rejected rows (columns line_number, field, reason, raw_text); return how many."""
    if rejects.empty:
        return 0
    frame = rejects[REJECTED_COLUMNS].astype(object).where(rejects[REJECTED_COLUMNS].notna(), None)
    con.register("rox_rejects_frame", frame)
    try:
        con.execute(
            f"""
            insert into {RAW_SCHEMA}.rejected_rows
            select ?, ?, ?, line_number::bigint, field::varchar, reason::varchar,
                   raw_text::varchar, ?
            from rox_rejects_frame
            """,
            [source, file_name, sha256, rejected_at],
        )
    finally:
        con.unregister("rox_rejects_frame")
    return len(frame)
