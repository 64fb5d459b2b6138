"""What the marts written by Python assets share: their spec and how they replace their tables."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.load_metadata import table_metadata

OWNERS = ["team:cx-analytics"]
KINDS = {"python", "duckdb"}


def mart_spec(key: dg.AssetKey, deps: list, description: str, grain: str) -> dg.AssetSpec:
    """The spec of a Python mart: owners, kinds and its grain (shown in the UI and docs)."""
    return dg.AssetSpec(
        key,
        deps=deps,
        description=description,
        owners=OWNERS,
        kinds=KINDS,
        metadata={"grain": grain},
    )


def replace_mart_tables(con, frames: dict) -> dict[str, dict[str, object]]:
    """Replace `marts.<name>` with each frame in one transaction; their row counts and schemas.

    Names are the asset's own table names (constants in code), never configuration.
    """
    con.begin()
    con.execute("create schema if not exists marts")
    for name, frame in frames.items():
        con.register(f"rox_{name}", frame)
        con.execute(f"create or replace table marts.{name} as select * from rox_{name}")
        con.unregister(f"rox_{name}")
    con.commit()
    return {name: table_metadata(con, f"marts.{name}") for name in frames}
