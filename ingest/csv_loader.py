"""Load landed CSV exports into the `raw` schema with DuckDB's own CSV reader.

For each file: archive it (SHA-256), skip it if that checksum was loaded before, otherwise read
it typed in one transaction that appends the good rows to `raw.<source>`, the rows that cannot
be typed to `raw.rejected_rows` (line, field, reason, raw text) and a line to `raw.load_log`.
A crash before the commit leaves nothing behind, so a re-run loads the file exactly once.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from common.sql import checked_identifier, quote_identifier, quote_literal
from ingest.landing import archive_file, file_sha256, landed_files
from ingest.load_log import (
    RAW_SCHEMA,
    already_loaded,
    ensure_bookkeeping_tables,
    now_utc,
    record_load,
)

MAX_LINE_BYTES = 64 * 2**20
METADATA_COLUMNS = (
    ("_extra", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)


class LoadError(ValueError):
    """A file that cannot be loaded at all; the message names the file and the cause."""


class MissingColumnsError(LoadError):
    """A file without one or more of the source's required columns."""


@dataclass(frozen=True)
class CsvColumn:
    """One column of a vendor export: its header as exported, our raw name, its type."""

    header: str
    name: str
    type: str = "VARCHAR"
    required: bool = False


@dataclass(frozen=True)
class CsvSource:
    """A kind of export file and the raw table it loads into."""

    name: str
    folder: str
    pattern: str
    description: str
    columns: tuple[CsvColumn, ...]
    timestamp_format: str | None = None
    date_format: str | None = None

    @property
    def table(self) -> str:
        return f"{RAW_SCHEMA}.{checked_identifier(self.name)}"

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    sha256: str
    rows_loaded: int
    rows_rejected: int
    skipped: bool


@dataclass
class LoadReport:
    """What one load of a source did, file by file."""

    source: str
    files: list[FileLoad] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def files_loaded(self) -> list[str]:
        return [f.file_name for f in self.files if not f.skipped]

    @property
    def files_skipped(self) -> list[str]:
        return [f.file_name for f in self.files if f.skipped]


def ensure_source_table(con: duckdb.DuckDBPyConnection, source: CsvSource) -> None:
    columns = [(c.name, c.type) for c in source.columns] + list(METADATA_COLUMNS)
    ddl = ",\n".join(f"{checked_identifier(n)} {t}" for n, t in columns)
    con.execute(f"create table if not exists {source.table} (\n{ddl}\n)")


def read_header(path: Path) -> list[str]:
    """The header row of a CSV file, or a LoadError naming the file."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as err:
        raise LoadError(f"{path.name}: the header is not UTF-8 ({err.reason})") from err
    if not header:
        raise LoadError(f"{path.name}: the file is empty (no header row)")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise LoadError(f"{path.name}: duplicate column(s) in the header: {duplicates}")
    return header


def check_columns(source: CsvSource, header: list[str], file_name: str) -> None:
    missing = [h for h in source.required_headers if h not in header]
    if missing:
        raise MissingColumnsError(
            f"{file_name}: missing required column(s) {missing} for source '{source.name}' "
            f"(found {header})"
        )


def _read_csv_sql(source: CsvSource, path: Path, header: list[str]) -> str:
    types = {c.header: c.type for c in source.columns}
    columns = ", ".join(
        f"{quote_literal(h)}: {quote_literal(types.get(h, 'VARCHAR'))}" for h in header
    )
    options = [
        "header = true",
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        f"columns = {{{columns}}}",
        "store_rejects = true",
        "rejects_table = 'rox_reject_errors'",
        "rejects_scan = 'rox_reject_scans'",
        # DuckDB's default (2 MB) fails the whole file on one long text field; allow 64 MB.
        f"max_line_size = {MAX_LINE_BYTES}",
    ]
    if source.timestamp_format:
        options.append(f"timestampformat = {quote_literal(source.timestamp_format)}")
    if source.date_format:
        options.append(f"dateformat = {quote_literal(source.date_format)}")
    return f"read_csv({quote_literal(str(path))}, {', '.join(options)})"


def _select_list(source: CsvSource, header: list[str]) -> tuple[str, list[str]]:
    """Our columns from the file (null where an optional column is absent) and the extras."""
    known = {c.header for c in source.columns}
    parts = [
        f"{quote_identifier(c.header)} as {c.name}"
        if c.header in header
        else f"null::{c.type} as {c.name}"
        for c in source.columns
    ]
    extras = [h for h in header if h not in known]
    if extras:
        pairs = ", ".join(f"{quote_literal(h)}, {quote_identifier(h)}" for h in extras)
        parts.append(f"json_object({pairs})::varchar as _extra")
    else:
        parts.append("null::varchar as _extra")
    return ", ".join(parts), extras


def _load_file(
    con: duckdb.DuckDBPyConnection,
    source: CsvSource,
    path: Path,
    archived: Path,
    sha256: str,
) -> FileLoad:
    header = read_header(archived)
    check_columns(source, header, path.name)
    select, extras = _select_list(source, header)
    loaded_at = now_utc()
    con.execute("drop table if exists rox_reject_errors")
    con.execute("drop table if exists rox_reject_scans")
    con.begin()
    try:
        rows_loaded = con.execute(
            f"insert into {source.table} select {select}, ?, ?, ? "
            f"from {_read_csv_sql(source, archived, header)}",
            [path.name, sha256, loaded_at],
        ).fetchall()[0][0]
        # A file in another encoding is a file-level fault: refuse it whole (rolled back).
        not_utf8 = con.execute(
            "select min(line) from rox_reject_errors where error_type = 'INVALID ENCODING'"
        ).fetchall()[0][0]
        if not_utf8 is not None:
            raise LoadError(f"{path.name}: line {not_utf8} is not UTF-8; re-export it as UTF-8")
        con.execute(
            f"""
            insert into {RAW_SCHEMA}.rejected_rows
            select ?, ?, ?, line, column_name, error_type || ': ' || error_message, csv_line, ?
            from rox_reject_errors
            """,
            [source.name, path.name, sha256, loaded_at],
        )
        # One row can fail on several fields; count rows, not errors.
        rejected_lines = con.execute(
            "select count(distinct line) from rox_reject_errors"
        ).fetchall()[0][0]
        record_load(
            con, source.name, path.name, sha256, archived, rows_loaded, rejected_lines, loaded_at,
            extras,
        )  # fmt: skip
        con.commit()
    except duckdb.Error as err:
        con.rollback()
        raise LoadError(
            f"{path.name}: could not be read as a '{source.name}' export: {err}"
        ) from err
    except BaseException:
        con.rollback()
        raise
    return FileLoad(path.name, sha256, rows_loaded, rejected_lines, skipped=False)


def load_csv_source(
    con: duckdb.DuckDBPyConnection,
    source: CsvSource,
    landing_root: Path,
    archive_root: Path,
) -> LoadReport:
    """Load every new file of `source` from the landing folder; files seen before are skipped."""
    ensure_bookkeeping_tables(con)
    ensure_source_table(con, source)
    report = LoadReport(source.name)
    for path in landed_files(landing_root, source.folder, source.pattern):
        sha256 = file_sha256(path)
        if already_loaded(con, source.name, sha256):
            report.files.append(FileLoad(path.name, sha256, 0, 0, skipped=True))
            continue
        archived = archive_file(path, archive_root, source.name, sha256)
        report.files.append(_load_file(con, source, path, archived, sha256))
    return report
