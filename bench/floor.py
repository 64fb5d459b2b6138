"""The raw-SQL floor: the work of the pipeline's SQL, run directly in one DuckDB connection.

    python -m bench.floor --manifest target/manifest.json --database floor/rox.duckdb \
        --landing DIR --out floor.json

Two parts, timed separately:
- ingest floor: every landed export read into a table by DuckDB's own readers (CSV and JSON, no
  typing rules, archiving, rejected rows or load log): the least work that gets the bytes in.
- SQL floor: each dbt model's compiled SQL (from `dbt compile --full-refresh`) as
  `create or replace view|table <relation> as <sql>`, then each data test's compiled SQL as
  `select count(*) from (<sql>)`, in dependency order, on a copy of the built warehouse (so the
  raw tables, seeds and tables written by Python assets are there). No dbt, no Dagster.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

# Landed files read by the ingest floor, by folder under the landing directory.
INGEST_FOLDERS = ("crm", "surveys", "reviews", "demo_api")
# The review API's file is one JSON object holding every review: allow an object as large as
# the file (DuckDB reserves buffers of this size, so a fixed 2 GiB broke its memory limit).
MIN_JSON_OBJECT_BYTES = 16 << 20


@dataclass(frozen=True)
class FloorNode:
    """One statement of the SQL floor: a model to create or a data test to evaluate."""

    unique_id: str
    kind: str  # "view", "table" or "test"
    sql: str
    relation: str | None = None
    schema: str | None = None

    def statement(self) -> str:
        if self.kind == "test":
            return f"select count(*) from (\n{self.sql}\n) as dbt_test"
        return f"create or replace {self.kind} {self.relation} as (\n{self.sql}\n)"


def floor_plan(manifest: dict[str, Any]) -> list[FloorNode]:
    """Models (views stay views; tables and incremental models become tables) and data tests,
    in an order where every node comes after the models it depends on. Seeds, ephemeral models
    and unit tests are left out: seeds are already in the copy, ephemeral models are inlined in
    their children's SQL, unit tests run on fixture rows whatever the data size."""
    nodes: dict[str, FloorNode] = {}
    for unique_id, node in manifest["nodes"].items():
        kind = _kind(node)
        if kind is None:
            continue
        sql = node.get("compiled_code")
        if not sql:
            raise ValueError(f"{unique_id} has no compiled SQL: run `dbt compile` first")
        nodes[unique_id] = FloorNode(
            unique_id,
            kind,
            sql.strip().rstrip(";"),
            relation=node.get("relation_name") if kind != "test" else None,
            schema=f'"{node["database"]}"."{node["schema"]}"' if kind != "test" else None,
        )
    graph = {
        unique_id: [
            parent
            for parent in manifest["nodes"][unique_id]["depends_on"]["nodes"]
            if parent in nodes
        ]
        for unique_id in nodes
    }
    # Ties broken by id, so the order (and the timings' keys) is the same on every run.
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return [nodes[unique_id] for unique_id in order]


def _kind(node: dict[str, Any]) -> str | None:
    if not node.get("config", {}).get("enabled", True):
        return None
    if node["resource_type"] == "test":
        return "test"
    if node["resource_type"] != "model":
        return None
    materialized = node["config"].get("materialized")
    if materialized == "view":
        return "view"
    if materialized in ("table", "incremental"):
        return "table"
    return None


def run_sql_floor(con: Any, plan: list[FloorNode]) -> dict[str, float]:
    """Execute the plan in one connection; seconds per node, in plan order."""
    for schema in sorted({node.schema for node in plan if node.schema}):
        con.execute(f"create schema if not exists {schema}")
    timings: dict[str, float] = {}
    for node in plan:
        started = time.perf_counter()
        result = con.execute(node.statement())
        if node.kind == "test":
            result.fetchall()
        timings[node.unique_id] = time.perf_counter() - started
    return timings


def landed_files(landing: Path) -> list[Path]:
    """Every CSV, TSV and JSON export under the landing folders the pipeline reads."""
    return sorted(
        path
        for folder in INGEST_FOLDERS
        for path in (landing / folder).glob("*")
        if path.suffix.lower() in (".csv", ".tsv", ".json")
    )


def _is_utf16(path: Path) -> bool:
    """Google Play's review exports are UTF-16 with a byte order mark."""
    with path.open("rb") as file:
        return file.read(2) in (b"\xff\xfe", b"\xfe\xff")


def run_ingest_floor(con: Any, landing: Path) -> dict[str, float]:
    """Read every landed file into its own table of schema floor_ingest; seconds per file."""
    con.execute("create schema if not exists floor_ingest")
    timings: dict[str, float] = {}
    for number, path in enumerate(landed_files(landing)):
        quoted = str(path).replace("'", "''")
        if path.suffix.lower() == ".json":
            largest = max(MIN_JSON_OBJECT_BYTES, path.stat().st_size + 1)
            reader = f"read_json('{quoted}', maximum_object_size={largest})"
        else:
            encoding = ", encoding = 'utf-16'" if _is_utf16(path) else ""
            reader = f"read_csv('{quoted}', all_varchar = true{encoding})"
        started = time.perf_counter()
        con.execute(f"create or replace table floor_ingest.file_{number} as select * from {reader}")
        timings[str(path.relative_to(landing))] = time.perf_counter() - started
    return timings


def measure_floor(manifest_path: Path, database: Path, landing: Path) -> dict[str, Any]:
    """Both floors on `database` (a copy: it is written to), with per-node timings."""
    import duckdb

    from common.settings import duckdb_memory_limit

    plan = floor_plan(json.loads(manifest_path.read_text()))
    with duckdb.connect(str(database)) as con:
        # The floor runs under the build's memory limit, so the ratio compares like with like.
        con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
        ingest = run_ingest_floor(con, landing)
        con.execute("drop schema floor_ingest cascade")
        sql = run_sql_floor(con, plan)
    models = {k: v for k, v in sql.items() if not k.startswith("test.")}
    return {
        "ingest_floor_s": round(sum(ingest.values()), 3),
        "sql_floor_s": round(sum(sql.values()), 3),
        "sql_floor_models_s": round(sum(models.values()), 3),
        "sql_floor_tests_s": round(sum(sql.values()) - sum(models.values()), 3),
        "models": len(models),
        "tests": len(sql) - len(models),
        "ingest_files_s": {k: round(v, 3) for k, v in ingest.items()},
        "nodes_s": {k: round(v, 3) for k, v in sql.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.time()
    figures = measure_floor(args.manifest, args.database, args.landing)
    args.out.write_text(json.dumps({**figures, "started_at": started, "finished_at": time.time()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
