"""Load landed CSV exports into the `raw` schema with DuckDB's own CSV reader, losing no row.

For each file (see `ingest.file_loads`: archived, loaded once, a bad file fails alone): check it
is UTF-8 (else the first bad line is named), read the header, count the records independently of
DuckDB (`ingest.csv_records`), cut out lines with a stray quote (each rejected with its line), read
the rest typed in one transaction, and check that rows read plus rows rejected equal the records
counted, or fail the file naming the line where parsing went wrong. Rows that cannot be typed go to
`raw.rejected_rows` (line, field, value, reason, raw text); a duplicate key within one file keeps
the newest version (`version_column`, else the later line) and rejects the others naming both
lines. Optional columns absent from the file load as null and are named in `raw.load_log`.
"""

from __future__ import annotations

import csv
import io
import mmap
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from common.sql import checked_identifier, quote_identifier, quote_literal
from ingest.csv_records import (
    RecordScan,
    first_invalid_utf8,
    original_offsets,
    scan_records,
    without_lines,
)
from ingest.file_loads import (
    FileLoad,
    FileRejected,
    LoadReport,
    check_rejected_share,
    disk_full,
    is_disk_full,
    load_landed_files,
)
from ingest.landing import landed_files
from ingest.load_log import RAW_SCHEMA, ensure_bookkeeping_tables, now_utc, record_load
from ingest.load_log import record_rejects as store_rejects

MAX_LINE_BYTES = 64 * 2**20
METADATA_COLUMNS = (
    ("_extra", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_source_line", "BIGINT"),
)
_BOM = b"\xef\xbb\xbf"

LoadError = FileRejected  # the name the CRM loader's callers know


class MissingColumnsError(FileRejected):
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
    """A kind of export file and the raw table it loads into.

    `key`: the headers that identify a row within one export; `version_column`: the header whose
    latest value wins when a key repeats within a file.
    """

    name: str
    folder: str
    pattern: str
    description: str
    columns: tuple[CsvColumn, ...]
    timestamp_format: str | None = None
    date_format: str | None = None
    key: tuple[str, ...] = ()
    version_column: str | None = None

    @property
    def table(self) -> str:
        return f"{RAW_SCHEMA}.{checked_identifier(self.name)}"

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]


def ensure_source_table(con: duckdb.DuckDBPyConnection, source: CsvSource) -> None:
    columns = [(c.name, c.type) for c in source.columns] + list(METADATA_COLUMNS)
    ddl = ",\n".join(f"{checked_identifier(n)} {t}" for n, t in columns)
    con.execute(f"create table if not exists {source.table} (\n{ddl}\n)")
    con.execute(f"alter table {source.table} add column if not exists _source_line bigint")
    # A column added to a source later (Region__c, Brand__c, Channel__c) joins a raw table
    # landed before it, null for the rows already there.
    for name, kind in columns:
        con.execute(
            f"alter table {source.table} add column if not exists {checked_identifier(name)} {kind}"
        )


def read_header(path: Path) -> list[str]:
    """The header row of a UTF-8 CSV file, or a LoadError naming the file and the first bad line."""
    with path.open("rb") as handle:
        first = handle.readline(MAX_LINE_BYTES)
    if not first.strip():
        raise LoadError(f"{path.name}: the file is empty (no header row)")
    bad = first_invalid_utf8(path)
    if bad is not None:
        line, column, byte = bad
        where = "the header (line 1)" if line == 1 else f"line {line}"
        raise LoadError(
            f"{path.name}: {where} is not UTF-8 (byte 0x{byte.hex()} at column {column}); "
            "re-export the file as UTF-8"
        )
    header = next(csv.reader(io.StringIO(first.removeprefix(_BOM).decode("utf-8"))), [])
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
        # The columns are given: no sniffing (the sniffer refuses a whole file over one quote).
        "auto_detect = false",
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


def _select_list(source: CsvSource, header: list[str]) -> tuple[str, list[str], list[str]]:
    """Our columns from the file (null where an optional column is absent), extras, missing."""
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
    missing = [c.header for c in source.columns if c.header not in header]
    return ", ".join(parts), extras, missing


def _field_value(csv_line: str | None, column_idx: int | None) -> str | None:
    if not csv_line or not column_idx:
        return None
    cells = next(csv.reader(io.StringIO(csv_line.lstrip("\r\n"))), [])
    return cells[column_idx - 1] if 0 < column_idx <= len(cells) else None


def _parse_rejects(con, scan: RecordScan, shifts) -> pd.DataFrame:
    """DuckDB's rejects, one per record, with the physical line of the original file."""
    errors = con.execute(
        "select line_byte_position, column_idx, column_name, error_type || ': ' || error_message,"
        " csv_line from rox_reject_errors order by line_byte_position, column_idx"
    ).df()
    if errors.empty:
        return pd.DataFrame(columns=["line_number", "field", "reason", "raw_text", "value"])
    offsets = errors["line_byte_position"].to_numpy(dtype=np.int64)
    if shifts is not None:
        offsets = original_offsets(offsets, shifts)
    errors["line_number"] = scan.line_at(offsets)
    errors["value"] = [
        _field_value(line, idx)
        for line, idx in zip(errors["csv_line"], errors["column_idx"], strict=True)
    ]
    return errors.rename(
        columns={"column_name": "field", errors.columns[3]: "reason", "csv_line": "raw_text"}
    )[["line_number", "field", "reason", "raw_text", "value"]]


def _duplicate_rejects(con, source: CsvSource, header: list[str]) -> pd.DataFrame:
    """Rows whose key repeats within the file: all but the newest (then the last line)."""
    key = [c for c in source.columns if c.header in source.key]
    if not key or any(c.header not in header for c in key):
        return pd.DataFrame(columns=["_record", "line_number", "field", "reason", "value"])
    names = ", ".join(c.name for c in key)
    version = next((c.name for c in source.columns if c.header == source.version_column), None)
    order = f"{version} desc nulls last, _source_line desc" if version else "_source_line desc"
    key_text = " || '|' || ".join(f"coalesce({c.name}::varchar, '')" for c in key)
    return con.execute(
        f"""
        with ranked as (
            select _record, _source_line, {key_text} as key_value,
                   row_number() over (partition by {names} order by {order}) as rank,
                   first_value(_source_line) over (partition by {names} order by {order})
                       as kept_line
            from rox_csv_rows
        )
        select _record, _source_line as line_number,
               {quote_literal(", ".join(c.header for c in key))} as field,
               'DUPLICATE KEY: ' || key_value || ' is also on line ' || kept_line::varchar
                   || ', which is kept' as reason,
               key_value as value
        from ranked where rank > 1 order by _source_line
        """
    ).df()


def _record_lines(scan: RecordScan, rejected_lines) -> np.ndarray:
    data_lines = scan.record_lines[1:]
    return data_lines[~np.isin(data_lines, np.asarray(list(rejected_lines), dtype=np.int64))]


def _load_file(
    con: duckdb.DuckDBPyConnection, source: CsvSource, path: Path, archived: Path, sha256: str
) -> FileLoad:
    header = read_header(archived)
    check_columns(source, header, path.name)
    select, extras, missing = _select_list(source, header)
    with archived.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        scan = scan_records(m, ",", len(header))
        with tempfile.TemporaryDirectory(prefix="rox_csv_") as scratch:
            read_from, shifts = archived, None
            if scan.stray_lines:  # read the file without them: the rows after them load
                text, shifts = without_lines(m, scan, scan.stray_lines)
                read_from = Path(scratch) / path.name
                read_from.write_bytes(text)
            return _load_scanned(con, source, path, archived, sha256, header, select, extras,
                                 missing, scan, read_from, shifts)  # fmt: skip


def _load_scanned(
    con, source, path, archived, sha256, header, select, extras, missing, scan, read_from, shifts
) -> FileLoad:
    loaded_at = now_utc()
    con.execute("drop table if exists rox_reject_errors")
    con.execute("drop table if exists rox_reject_scans")
    con.begin()
    try:
        con.execute(
            "create or replace temp table rox_csv_rows as select row_number() over () as "
            f"_record, {select} from {_read_csv_sql(source, read_from, header)}"
        )
        read = con.execute("select count(*) from rox_csv_rows").fetchall()[0][0]
        rejects = _parse_rejects(con, scan, shifts)
        stray = pd.DataFrame(
            {
                "line_number": scan.stray_lines,
                "field": None,
                "reason": "UNBALANCED QUOTE: a quote opens a field that never closes into a "
                "record of the header's width; the line is rejected, the rows after it load",
                "raw_text": [_line_text(scan, archived, n) for n in scan.stray_lines],
                "value": None,
            }
        )
        rejected_lines = set(rejects["line_number"]) | set(scan.stray_lines)
        if read + len(rejected_lines) != scan.records:
            raise LoadError(_lost_rows_message(path.name, read, rejected_lines, scan, rejects))
        lines = _record_lines(scan, rejected_lines)
        con.register("rox_csv_lines", pd.DataFrame({"_record": np.arange(1, read + 1),
                                                   "_source_line": lines}))  # fmt: skip
        con.execute(
            "create or replace temp table rox_csv_rows as select r.*, l._source_line "
            "from rox_csv_rows r join rox_csv_lines l using (_record)"
        )
        con.unregister("rox_csv_lines")
        duplicates = _duplicate_rejects(con, source, header)
        all_rejects = pd.concat(
            [f for f in (rejects, stray, duplicates.drop(columns="_record")) if not f.empty]
            or [rejects]
        ).sort_values("line_number", kind="stable")
        per_line = all_rejects.drop_duplicates("line_number")
        check_rejected_share(
            path.name,
            scan.records,
            [f"line {r.line_number}, field {r.field}: {r.reason}" for r in per_line.itertuples()],
        )
        con.register("rox_duplicate_records", duplicates[["_record"]])
        rows_loaded = con.execute(
            f"insert into {source.table} by name "
            "select * exclude (_record), ? as _source_file, ? as _file_sha256, "
            "? as _loaded_at from rox_csv_rows "
            "where _record not in (select _record from rox_duplicate_records)",
            [path.name, sha256, loaded_at],
        ).fetchall()[0][0]
        con.unregister("rox_duplicate_records")
        store_rejects(con, source.name, path.name, sha256, all_rejects, loaded_at)
        record_load(
            con, source.name, path.name, sha256, archived, rows_loaded, len(per_line), loaded_at,
            extras, missing_columns=missing, records_in_file=scan.records,
        )  # fmt: skip
        con.execute("drop table rox_csv_rows")
        con.commit()
    except duckdb.Error as err:
        con.rollback()
        if is_disk_full(err):
            raise disk_full(err, f"loading {path.name} into {source.table}") from err
        raise LoadError(
            f"{path.name}: could not be read as a '{source.name}' export: {err}"
        ) from err
    except BaseException:
        con.rollback()
        raise
    return FileLoad(path.name, sha256, rows_loaded, len(per_line))


def _line_text(scan: RecordScan, path: Path, line: int) -> str:
    start = int(scan.line_starts[line - 1])
    end = int(scan.line_starts[line]) if line < len(scan.line_starts) else None
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(None if end is None else end - start)
    return data.decode("utf-8", errors="replace").rstrip("\r\n")


def _lost_rows_message(file_name, read, rejected_lines, scan, rejects) -> str:
    """Where parsing went wrong: the first reject whose record swallowed following lines."""
    where = "the line could not be found"
    spans = rejects[rejects["raw_text"].fillna("").str.strip("\r\n").str.contains("\n")]
    if not spans.empty:
        where = f"parsing went wrong at line {int(spans['line_number'].iloc[0])}"
    elif len(rejected_lines):
        where = f"parsing went wrong at or after line {min(rejected_lines)}"
    return (
        f"{file_name}: DuckDB read {read} rows and rejected {len(rejected_lines)}, but the file "
        f"holds {scan.records} records (a quote-aware count); {where}; nothing of it was loaded"
    )


def load_csv_source(
    con: duckdb.DuckDBPyConnection,
    source: CsvSource,
    landing_root: Path,
    archive_root: Path,
) -> LoadReport:
    """Load every new file of `source`; a file that fails is logged and the others still load."""
    ensure_bookkeeping_tables(con)
    ensure_source_table(con, source)
    return load_landed_files(
        con,
        source.name,
        landed_files(landing_root, source.folder, source.pattern),
        archive_root,
        lambda path, archived, sha256: _load_file(con, source, path, archived, sha256),
    )
