"""What the marts written by Python assets share: their spec and how they write their tables."""

from __future__ import annotations

import dagster as dg

from orchestration.shared.load_metadata import table_metadata
from orchestration.shared.mart_columns import MartColumns, with_descriptions

OWNERS = ["team:cx-analytics"]
KINDS = {"python", "duckdb"}


def mart_spec(
    key: dg.AssetKey, deps: list, description: str, grain: str, columns: MartColumns
) -> dg.AssetSpec:
    """The spec of a Python mart: owners, kinds, its grain and its documented columns (from the
    domain's marts.yml; shown in the UI and docs)."""
    return dg.AssetSpec(
        key,
        deps=deps,
        description=description,
        owners=OWNERS,
        kinds=KINDS,
        metadata={
            "grain": grain,
            "dagster/column_schema": columns.table_schema(key.path[-1]),
        },
    )


def replace_mart_tables(
    con,
    frames: dict,
    run_rows: dict | None = None,
    run_id: str | None = None,
    columns: MartColumns | None = None,
) -> dict[str, dict[str, object]]:
    """Write the marts in one transaction; return each table's row count and schema (with the
    descriptions of `columns`, the domain's marts.yml, when given).

    `frames` replace `marts.<name>` whole. `run_rows` are tables that keep one set of rows per
    run (a history, such as the CLV back-test): the rows of `run_id` are replaced, earlier runs'
    rows stay. Names are the asset's own table names (constants in code), never configuration.
    """
    run_rows = run_rows or {}
    if run_rows and run_id is None:
        raise ValueError("run_rows need the run_id whose rows they replace")
    con.begin()
    try:
        con.execute("create schema if not exists marts")
        for name, frame in frames.items():
            con.register(f"rox_{name}", frame)
            con.execute(f"create or replace table marts.{name} as select * from rox_{name}")
            con.unregister(f"rox_{name}")
        for name, frame in run_rows.items():
            con.register(f"rox_{name}", frame)
            con.execute(f"create table if not exists marts.{name} as from rox_{name} limit 0")
            con.execute(f"delete from marts.{name} where run_id = ?", [run_id])
            con.execute(f"insert into marts.{name} by name select * from rox_{name}")
            con.unregister(f"rox_{name}")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    tables = {name: table_metadata(con, f"marts.{name}") for name in [*frames, *run_rows]}
    if columns is None:
        return tables
    return {name: with_descriptions(meta, columns, name) for name, meta in tables.items()}
