"""Bad rows out of the way: the rows of a raw batch that fail its gate's row-level expectations.

The gate asks Great Expectations (the one definition of every check) which rows failed, names
each by file and line, and moves them from the raw table into `raw.quarantined_rows` (the whole
row as JSON, with the file, line, expectation and value) in one transaction. The staging views
read raw, so a quarantined row never reaches staging; nothing is lost, the row is kept with
its reason. A whole file is retired with `python -m expectations.retire`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from common.sql import quote_identifier
from expectations.runner import ROW_ID, batch_query, float_columns, run_suite, sample_text
from expectations.scope import RawBatches
from expectations.spec import Expect

QUARANTINE_TABLE = "raw.quarantined_rows"
# More failing rows than this for one expectation is not a few bad rows but a broken export
# (or a changed format): the gate blocks instead. 200 is also as many keys as GE returns.
QUARANTINE_MAX_ROWS = 200
# ... and so is a file (a batch) of which more than this share would be quarantined.
QUARANTINE_MAX_SHARE = 0.5


@dataclass(frozen=True)
class Location:
    """Where a raw row came from: its file (or API page), line or position in it."""

    file_name: str
    file_sha256: str | None
    batch_id: str
    record_number: int  # 1-based position among the rows the batch loaded
    line_number: int | None  # the line of the file the row starts on, when known

    @property
    def label(self) -> str:
        if self.line_number is not None:
            return f"{self.file_name} line {self.line_number}"
        return f"{self.file_name} record {self.record_number}"


@dataclass(frozen=True)
class BadRow:
    """One failing row of one expectation."""

    row_id: int
    expectation: str
    value: str
    location: Location | None


def ensure_quarantine_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {QUARANTINE_TABLE} (
            table_name varchar not null,
            file_name varchar,
            file_sha256 varchar,
            batch_id varchar,
            line_number bigint,
            record_number bigint,
            expectation varchar not null,
            value varchar,
            row_json varchar not null,
            suite varchar not null,
            run_id varchar,
            quarantined_at timestamp not null
        )
        """
    )


def failing_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    expectations: list[Expect],
    where: str | None,
    limit: int,
) -> list[list[int]]:
    """The rowids (at most `limit` each) of the rows failing each expectation, as GE finds them.

    A second GE pass, on the failed expectations only, with the rowid as GE's unexpected index
    column. GE's SQL engine gives no row index for compound uniqueness, only the duplicated keys
    (at most 200): the rows are those of the batch with one of those keys (nulls equal, as in
    DuckDBCompoundColumnsUnique).
    """
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": [ROW_ID],
        "partial_unexpected_count": limit,
        "return_unexpected_index_query": False,
    }
    floats = float_columns(con, table, expectations)
    query = batch_query(table, expectations, where, row_ids=True, floats=floats)
    results, _ = run_suite(con, query, expectations, "rows", result_format)
    found = []
    for expect, result in zip(expectations, results, strict=True):
        details = result.result or {}
        if "column_list" in expect.kwargs:
            found.append(_rows_with_keys(con, query, expect, details.get("unexpected_list") or []))
        else:
            found.append([int(i[ROW_ID]) for i in details.get("unexpected_index_list") or []])
    return [sorted(set(ids))[:limit] for ids in found]


def _rows_with_keys(
    con: duckdb.DuckDBPyConnection, query: str, expect: Expect, keys: list[dict]
) -> list[int]:
    columns = expect.kwargs["column_list"]
    distinct = {tuple(key[c] for c in columns) for key in keys}
    if not distinct:
        return []
    match = " and ".join(f"{quote_identifier(c)} is not distinct from ?" for c in columns)
    condition = " or ".join(f"({match})" for _ in distinct)
    params = [value for key in sorted(distinct, key=str) for value in key]
    rows = con.execute(
        f"select {ROW_ID} from ({query}) as batch where {condition}", params
    ).fetchall()
    return [int(r[0]) for r in rows]


def bad_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    batches: RawBatches,
    expectations: list[Expect],
    rowids: list[list[int]],
) -> list[BadRow]:
    """Each failing row with the value that failed and where it came from."""
    wanted = sorted({i for ids in rowids for i in ids})
    if not wanted:
        return []
    locations = locate_rows(con, table, batches, wanted)
    out = []
    for expect, ids in zip(expectations, rowids, strict=True):
        if not ids:
            continue
        columns = [c for c in expect.columns if c not in expect.condition_columns]
        selected = ", ".join(quote_identifier(c) for c in columns)
        values = dict(
            (r[0], r[1:])
            for r in con.execute(
                f"select rowid, {selected} from {table} where rowid in ({_ids(ids)})"
            ).fetchall()
        )
        for row_id in ids:
            value = values.get(row_id, ())
            shown = (
                sample_text(dict(zip(columns, value, strict=True)))
                if len(columns) > 1
                else sample_text(value[0] if value else None)
            )
            out.append(BadRow(row_id, expect.label, shown, locations.get(row_id)))
    return out


def _ids(ids) -> str:
    return ", ".join(str(int(i)) for i in ids)


def locate_rows(
    con: duckdb.DuckDBPyConnection, table: str, batches: RawBatches, rowids: list[int]
) -> dict[int, Location]:
    """File, position and (when it can be told) line of each of `rowids` of `table`.

    A batch is appended in one insert in file order, so a row's position in its batch is its
    rank by rowid, counting the batch's rows quarantined earlier. The line: the table's own
    line column (survey answers), else the record's first line in the archived CSV file, found
    by a quote-aware scan that skips the records the loader rejected (`raw.rejected_rows`
    counts records the way DuckDB's reader does).
    """
    line = batches.line_sql or "null"
    rows = con.execute(
        f"""
        with affected as (
            select distinct {batches.batch_sql} as batch from {table}
            where rowid in ({_ids(rowids)})
        ),
        numbered as (
            select rowid as row_id, {batches.batch_sql} as batch, {batches.file_sql} as file_name,
                   _file_sha256_or_null as file_sha256, {line} as line_number,
                   row_number() over (partition by {batches.batch_sql} order by rowid) as position
            from (select *, {_sha_column(con, table)} as _file_sha256_or_null, rowid from {table})
            where {batches.batch_sql} in (select batch from affected)
        )
        select row_id, batch, file_name, file_sha256, line_number, position
        from numbered where row_id in ({_ids(rowids)})
        """
    ).fetchall()
    earlier = _quarantined_positions(con, table, {r[1] for r in rows})
    located: dict[int, Location] = {}
    for row_id, batch, file_name, sha, line_number, position in rows:
        record = int(position)
        for taken in earlier.get(batch, []):
            if taken <= record:
                record += 1
        located[row_id] = Location(
            str(file_name),
            sha,
            str(batch),
            record,
            None if line_number is None else int(line_number),
        )
    if batches.csv_files and batches.line_sql is None:
        located = _with_csv_lines(con, located)
    return located


def _sha_column(con: duckdb.DuckDBPyConnection, table: str) -> str:
    schema, name = table.split(".")
    has = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = '_file_sha256'",
        [schema, name],
    ).fetchall()[0][0]
    return "_file_sha256" if has else "null::varchar"


def _quarantined_positions(
    con: duckdb.DuckDBPyConnection, table: str, batch_ids: set
) -> dict[str, list[int]]:
    ensure_quarantine_table(con)
    if not batch_ids:
        return {}
    rows = con.execute(
        f"select distinct batch_id, record_number from {QUARANTINE_TABLE} "
        f"where table_name = ? and batch_id in ({', '.join('?' for _ in batch_ids)}) "
        "order by 1, 2",
        [table, *sorted(batch_ids)],
    ).fetchall()
    taken: dict[str, list[int]] = {}
    for batch, record in rows:
        taken.setdefault(batch, []).append(int(record))
    return taken


def _with_csv_lines(
    con: duckdb.DuckDBPyConnection, located: dict[int, Location]
) -> dict[int, Location]:
    by_file: dict[str, list[int]] = {}
    for row_id, where in located.items():
        if where.file_sha256:
            by_file.setdefault(where.file_sha256, []).append(row_id)
    out = dict(located)
    for sha, row_ids in by_file.items():
        archived = con.execute(
            "select archive_path from raw.load_log where file_sha256 = ? limit 1", [sha]
        ).fetchall()
        if not archived or not Path(archived[0][0]).is_file():
            continue  # no archive to count lines in: the position stands
        rejected = {
            int(r[0])
            for r in con.execute(
                "select distinct line_number from raw.rejected_rows "
                "where file_sha256 = ? and line_number is not null",
                [sha],
            ).fetchall()
        }
        wanted = {located[i].record_number for i in row_ids}
        lines = csv_record_lines(Path(archived[0][0]), rejected, max(wanted))
        for row_id in row_ids:
            record = located[row_id].record_number
            if record in lines:
                out[row_id] = _replace_line(located[row_id], lines[record])
    return out


def _replace_line(where: Location, line: int) -> Location:
    return Location(where.file_name, where.file_sha256, where.batch_id, where.record_number, line)


def csv_record_lines(path: Path, rejected: set[int], up_to: int) -> dict[int, int]:
    """Loaded record number (1-based, rejected records skipped) -> the line it starts on.

    `rejected` holds the rejected records as DuckDB's reader numbers them: the header is 1 and
    each record counts once, however many lines its quoted fields span.
    """
    head = path.open("rb").read(4)
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    lines: dict[int, int] = {}
    with path.open(newline="", encoding=encoding, errors="replace") as handle:
        first = handle.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        start, ordinal, loaded = 1, 0, 0
        for record in reader:
            if record:
                ordinal += 1  # 1 is the header
                if ordinal > 1 and ordinal not in rejected:
                    loaded += 1
                    lines[loaded] = start
                    if loaded >= up_to:
                        break
            start = reader.line_num + 1
    return lines


def move_to_quarantine(
    con: duckdb.DuckDBPyConnection,
    table: str,
    suite: str,
    rows: list[BadRow],
    run_id: str | None,
) -> int:
    """Copy `rows` (whole rows as JSON) into raw.quarantined_rows and delete them from `table`,
    in one transaction; return how many raw rows were removed."""
    ensure_quarantine_table(con)
    ids = sorted({r.row_id for r in rows})
    if not ids:
        return 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.begin()
    try:
        contents = dict(
            con.execute(
                f"select rowid, to_json(t)::varchar from {table} as t where rowid in ({_ids(ids)})"
            ).fetchall()
        )
        con.executemany(
            f"insert into {QUARANTINE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    table,
                    r.location.file_name if r.location else None,
                    r.location.file_sha256 if r.location else None,
                    r.location.batch_id if r.location else None,
                    r.location.line_number if r.location else None,
                    r.location.record_number if r.location else None,
                    r.expectation,
                    r.value,
                    contents.get(r.row_id, json.dumps(None)),
                    suite,
                    run_id,
                    now,
                ]
                for r in rows
            ],
        )
        removed = con.execute(f"delete from {table} where rowid in ({_ids(ids)})").fetchall()[0][0]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return int(removed)


def quarantine_markdown(rows: list[BadRow], limit: int = 20) -> str:
    """The quarantined rows as a markdown table (file, line, expectation, value)."""
    lines = [
        f"{len({r.row_id for r in rows}):,} row(s) moved to `{QUARANTINE_TABLE}`",
        "",
        "| file | line | expectation | value |",
        "| --- | --- | --- | --- |",
    ]
    for r in sorted(rows, key=_order)[:limit]:
        where = r.location
        file_name = where.file_name if where else ""
        line = where.label.removeprefix(file_name).strip() if where else ""
        lines.append(f"| `{file_name}` | {line} | `{r.expectation}` | `{r.value}` |")
    if len(rows) > limit:
        lines.append(f"| ... {len(rows) - limit:,} more in `{QUARANTINE_TABLE}` | | | |")
    return "\n".join(lines)


def _order(row: BadRow) -> tuple:
    where = row.location
    return (where.file_name if where else "", where.record_number if where else 0, row.expectation)
