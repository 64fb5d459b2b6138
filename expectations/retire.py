"""Retire a loaded file: remove its rows from every raw table and record why.

    python -m expectations.retire FILE --reason "why"

FILE is the file's name as loaded (`raw.load_log.file_name`) or its SHA-256. The rows go, the
file stays in `raw.load_log` (so the same bytes are not loaded again) and in the archive, and
`raw.retired_files` records the file, the rows removed per table, the reason and the time.
Run it between runs (it needs the warehouse's write lock); the next run rebuilds staging and
the marts without the file, and the raw gates' row-count check counts the retired rows in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import duckdb

from common.sql import checked_identifier

RETIRED_TABLE = "raw.retired_files"


class RetireError(ValueError):
    """The file cannot be retired; the message says why."""


def ensure_retired_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {RETIRED_TABLE} (
            table_name varchar not null,
            file_name varchar not null,
            file_sha256 varchar not null,
            rows_removed bigint not null,
            reason varchar not null,
            retired_at timestamp not null
        )
        """
    )


def _file_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every raw table whose rows carry the file they came from."""
    names = con.execute(
        "select table_name from information_schema.columns "
        "where table_schema = 'raw' and column_name = '_file_sha256' order by 1"
    ).fetchall()
    return [f"raw.{checked_identifier(n)}" for (n,) in names]


def retire_file(con: duckdb.DuckDBPyConnection, file: str, reason: str) -> dict[str, int]:
    """Remove the rows of `file` (name or SHA-256) from the raw tables in one transaction;
    return the rows removed per table."""
    if not reason.strip():
        raise RetireError("give a reason (--reason): it is recorded with the file")
    loads = con.execute(
        "select distinct file_name, file_sha256 from raw.load_log "
        "where file_name = ? or file_sha256 = ? order by 1, 2",
        [file, file],
    ).fetchall()
    if not loads:
        raise RetireError(f"{file}: no file of that name or SHA-256 in raw.load_log")
    if len({sha for _, sha in loads}) > 1:
        shas = ", ".join(sha for _, sha in loads)
        raise RetireError(f"{file}: loaded more than once, with different content; name one "
                          f"by its SHA-256: {shas}")  # fmt: skip
    (name, sha), *_ = loads
    ensure_retired_table(con)
    done = con.execute(
        f"select min(retired_at) from {RETIRED_TABLE} where file_sha256 = ?", [sha]
    ).fetchall()[0][0]
    if done is not None:
        raise RetireError(f"{name}: already retired on {done:%Y-%m-%d %H:%M} UTC")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    removed: dict[str, int] = {}
    con.begin()
    try:
        for table in _file_tables(con):
            count = con.execute(f"delete from {table} where _file_sha256 = ?", [sha]).fetchall()
            removed[table] = int(count[0][0])
        for table, rows in removed.items():
            if rows:
                con.execute(
                    f"insert into {RETIRED_TABLE} values (?, ?, ?, ?, ?, ?)",
                    [table, name, sha, rows, reason.strip(), now],
                )
        if not any(removed.values()):
            con.execute(
                f"insert into {RETIRED_TABLE} values (?, ?, ?, 0, ?, ?)",
                ["raw.load_log", name, sha, reason.strip(), now],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return {t: n for t, n in removed.items() if n}


def retired_since(con: duckdb.DuckDBPyConnection, table: str, since: dt.datetime) -> int:
    """Rows of `table` retired after `since` (naive UTC)."""
    ensure_retired_table(con)
    return int(
        con.execute(
            f"select coalesce(sum(rows_removed), 0) from {RETIRED_TABLE} "
            "where table_name = ? and retired_at > ?",
            [table, since],
        ).fetchall()[0][0]
    )


def main(argv: list[str] | None = None) -> int:
    from common.settings import raw_parquet_dir, warehouse_path
    from ingest.parquet_export import export_table_parquet

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the file's name as loaded, or its SHA-256")
    parser.add_argument("--reason", required=True, help="why; recorded in raw.retired_files")
    args = parser.parse_args(argv)
    try:
        with duckdb.connect(str(warehouse_path())) as con:
            removed = retire_file(con, args.file, args.reason)
            for table in removed:  # Spark reads the Parquet copies of the raw tables
                export_table_parquet(con, "raw", table.split(".")[1], raw_parquet_dir())
    except RetireError as err:
        print(f"not retired: {err}", file=sys.stderr)
        return 2
    except duckdb.IOException as err:
        print(f"not retired: the warehouse is in use by a run ({err})", file=sys.stderr)
        return 3
    for table, rows in removed.items():
        print(f"{table}: {rows:,} row(s) of {args.file} removed")
    if not removed:
        print(f"{args.file}: no rows in raw (recorded as retired)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
