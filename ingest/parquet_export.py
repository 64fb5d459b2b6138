"""Raw tables as Parquet, so engines other than DuckDB (Spark) read the same raw data.

Each table is written to `<dir>/<table>/` as one snapshot: written beside the old one, then
swapped in with a rename, so a reader sees the old snapshot or the new one, never half of one.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb

from common.sql import checked_identifier, quote_literal


def export_table_parquet(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, out_dir: Path
) -> Path:
    """Write `schema.table` to `out_dir/table/data.parquet`; return the table's folder."""
    name = checked_identifier(table)
    target = out_dir / name
    staging = out_dir / f".{name}.{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        con.execute(
            f"copy (select * from {checked_identifier(schema)}.{name}) "
            f"to {quote_literal(str(staging / 'data.parquet'))} (format parquet)"
        )
        retired = out_dir / f".{name}.retired.{uuid.uuid4().hex}"
        if target.exists():
            target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
