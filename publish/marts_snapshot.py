"""The published marts: a read-only snapshot of schema `marts` for BI tools.

Each build writes a new version folder, `published/<version>/`, holding every table of `marts`
in a DuckDB file (`rox_marts.duckdb`) and as Parquet files, with `_published.json`; then the
symlink `published/current` is swapped to it with one rename (`os.replace`), and the newest
versions are kept. The stable path BI tools open, `rox_marts.duckdb` beside the warehouse, is a
symlink to `published/current/rox_marts.duckdb`.

Why a new file per version rather than one file replaced in place: DuckDB shares one database
instance per file within a process, so a BI server that keeps one connection open got that old
instance (the old build) on every new connection it opened, even after the file was replaced.
DuckDB resolves the symlinks of the path it opens, so a new connection after a publish opens the
new version's file, while a connection held open keeps reading its own build, whole.

Each snapshot says what it holds: `main._published` in the DuckDB file and `_published.json` in
each version folder list the version, the run and every table's row count.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from common.settings import REPO_ROOT, warehouse_path
from common.sql import checked_identifier, quote_literal

SCHEMA = "marts"
MANIFEST_TABLE = "_published"
MANIFEST_FILE = "_published.json"
CURRENT = "current"
KEEP_VERSIONS = 2
_ALIAS = "rox_published_snapshot"


@dataclass(frozen=True)
class PublishedMarts:
    version: str
    path: Path  # the stable DuckDB path BI tools open (a symlink to the current version's file)
    file: Path  # this version's DuckDB file
    parquet_dir: Path  # this version's folder: the DuckDB file and the Parquet files
    row_counts: dict[str, int]


def published_warehouse_path() -> Path:
    """`ROX_PUBLISHED_WAREHOUSE`, else `rox_marts.duckdb` beside the warehouse."""
    value = os.environ.get("ROX_PUBLISHED_WAREHOUSE")
    if not value:
        return warehouse_path().parent / "rox_marts.duckdb"
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def published_parquet_root(target: Path) -> Path:
    """The Parquet versions sit in `published/` beside the published DuckDB file."""
    return target.parent / "published"


def version_name(run_id: str, now: dt.datetime | None = None) -> str:
    """A version name that sorts by time: `20260101T050000123456Z-<run id prefix>`."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{run_id[:8]}"


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = SCHEMA) -> list[str]:
    """Every table and view of `schema` in the connection's own database, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [checked_identifier(name) for (name,) in rows]


def publish_marts(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    run_id: str,
    *,
    schema: str = SCHEMA,
    keep: int = KEEP_VERSIONS,
) -> PublishedMarts:
    """Copy every table of `schema` to a new version folder (DuckDB file and Parquet), then swap.

    `con` is a connection to the warehouse; nothing is swapped in unless the version is complete.
    `target` is the stable path of the DuckDB file: a symlink to the current version's file.
    """
    tables = mart_tables(con, schema)
    if not tables:
        raise ValueError(f"schema {schema!r} has no tables to publish")
    version = version_name(run_id)
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    target.parent.mkdir(parents=True, exist_ok=True)
    root = published_parquet_root(target)
    root.mkdir(exist_ok=True)
    _remove_leftovers(target, root)

    partial_dir = root / f".{version}.partial"
    manifest = {"version": version, "run_id": run_id, "published_at": published_at}
    try:
        counts = _write_snapshot(con, partial_dir, target.name, schema, tables, manifest)
        manifest = {**manifest, "published_at": published_at.isoformat(), "row_counts": counts}
        (partial_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        # Checkpointed and detached: a WAL file left beside it would only be replayed by a reader.
        (partial_dir / f"{target.name}.wal").unlink(missing_ok=True)
        for path in partial_dir.iterdir():
            os.chmod(path, 0o444)
        version_dir = root / version
        partial_dir.rename(version_dir)
    finally:
        shutil.rmtree(partial_dir, ignore_errors=True)
    _point_current(root, version)
    _link_stable_path(target, root)
    prune_versions(root, keep)
    return PublishedMarts(version, target, version_dir / target.name, version_dir, counts)


def _write_snapshot(
    con: duckdb.DuckDBPyConnection,
    partial_dir: Path,
    file_name: str,
    schema: str,
    tables: list[str],
    manifest: dict,
) -> dict[str, int]:
    """Write the version's DuckDB file and Parquet files; return each table's row count."""
    partial_dir.mkdir()
    partial = partial_dir / file_name
    con.execute(f"attach {quote_literal(str(partial))} as {_ALIAS}")
    in_transaction = False
    try:
        # One transaction: the marts are read at one point in time, the manifest matches them.
        con.begin()
        in_transaction = True
        con.execute(f"create schema {_ALIAS}.{schema}")
        counts = {}
        for table in tables:
            con.execute(f"create table {_ALIAS}.{schema}.{table} as select * from {schema}.{table}")
            counts[table] = con.execute(
                f"select count(*) from {_ALIAS}.{schema}.{table}"
            ).fetchall()[0][0]
        con.execute(
            f"create table {_ALIAS}.main.{MANIFEST_TABLE} (version varchar, run_id varchar, "
            "published_at timestamp, table_name varchar, row_count bigint)"
        )
        con.executemany(
            f"insert into {_ALIAS}.main.{MANIFEST_TABLE} values (?, ?, ?, ?, ?)",
            [
                [manifest["version"], manifest["run_id"], manifest["published_at"], table, count]
                for table, count in counts.items()
            ],
        )
        con.commit()
        in_transaction = False
        con.execute(f"checkpoint {_ALIAS}")
        for table in tables:
            _write_parquet(con, f"{_ALIAS}.{schema}.{table}", partial_dir / f"{table}.parquet")
    except BaseException:
        if in_transaction:
            con.rollback()
        raise
    finally:
        con.execute(f"detach {_ALIAS}")
    return counts


def _write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    con.execute(f"copy (select * from {relation}) to {quote_literal(str(path))} (format parquet)")


def _point_current(root: Path, version: str) -> None:
    """Swap the `current` symlink to `version` with one rename (readers never see it missing)."""
    link = root / f".{CURRENT}.{uuid.uuid4().hex}"
    os.symlink(version, link)
    os.replace(link, root / CURRENT)


def _link_stable_path(target: Path, root: Path) -> None:
    """Make `target` a symlink to `published/current/<name>` (once; a regular file left by an
    earlier layout is swapped for the link with one rename, so no reader sees it missing)."""
    link = Path(root.name) / CURRENT / target.name
    if target.is_symlink() and Path(os.readlink(target)) == link:
        return
    staged = target.with_name(f".{target.name}.{uuid.uuid4().hex}.link")
    os.symlink(link, staged)
    os.replace(staged, target)
    # A WAL file beside a regular file of the earlier layout belongs to no version.
    target.with_name(target.name + ".wal").unlink(missing_ok=True)


def current_version(root: Path) -> str | None:
    """The version `published/current` points at, or None before the first publish."""
    link = root / CURRENT
    return os.readlink(link) if link.is_symlink() else None


def prune_versions(root: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Remove all but the newest `keep` versions (never the current one); return those removed."""
    current = current_version(root)
    versions = sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )
    removed = [v for v in versions[: max(len(versions) - keep, 0)] if v != current]
    for name in removed:
        shutil.rmtree(root / name)
    return removed


def _remove_leftovers(target: Path, root: Path) -> None:
    """Partial files of a publish that crashed (one publish runs at a time: the warehouse pool)."""
    for pattern in (f".{target.name}.*.partial", f".{target.name}.*.link"):
        for path in target.parent.glob(pattern):
            path.unlink(missing_ok=True)
    for path in root.glob(".*"):
        if path.is_symlink():
            path.unlink(missing_ok=True)
        elif path.is_dir() and path.name.endswith(".partial"):
            shutil.rmtree(path, ignore_errors=True)
