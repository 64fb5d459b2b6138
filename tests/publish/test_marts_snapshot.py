"""Published marts: a reader never sees a half-written or mixed set while the pipeline writes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest

from publish import marts_snapshot
from publish.marts_snapshot import (
    MANIFEST_FILE,
    current_version,
    publish_marts,
    published_parquet_root,
    published_warehouse_path,
)

PUBLISHES = 6


def _write_marts(con: duckdb.DuckDBPyConnection, generation: int) -> None:
    """Marts whose row counts say which generation wrote them (and one that comes and goes)."""
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.kpis as "
        f"select range as month, range * 1.5 as revenue_eur from range({100 * generation})"
    )
    con.execute(
        "create or replace table marts.events as "
        f"select range as event_id, 'x' || range as label from range({3000 * generation + 7})"
    )
    if generation % 2:
        con.execute(f"create or replace table marts.odd as select {generation} as g")
    else:
        con.execute("drop table if exists marts.odd")


@pytest.fixture
def warehouse(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse" / "rox.duckdb"))
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _warehouse_dir(tmp_path: Path) -> None:
    (tmp_path / "warehouse").mkdir()


def _read_duckdb(path: Path) -> tuple[str, dict[str, int], dict[str, int]]:
    """The version, the row counts the snapshot declares, and those it holds."""
    with duckdb.connect(str(path), read_only=True) as con:
        manifest = con.execute("select version, table_name, row_count from _published").fetchall()
        versions = {version for version, _, _ in manifest}
        assert len(versions) == 1, versions
        declared = {table: count for _, table, count in manifest}
        tables = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        held = {t: con.execute(f"select count(*) from marts.{t}").fetchall()[0][0] for t in tables}
    return versions.pop(), declared, held


def _read_parquet(root: Path) -> tuple[str, dict[str, int], dict[str, int]] | None:
    """The same from the Parquet version `current` points at; None if pruned while reading."""
    version = current_version(root)
    folder = root / version
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
        with duckdb.connect() as con:
            held = {
                path.stem: con.execute(
                    "select count(*) from read_parquet(?)", [str(path)]
                ).fetchall()[0][0]
                for path in sorted(folder.glob("*.parquet"))
            }
    except (FileNotFoundError, duckdb.IOException):
        # Only a version that is no longer current may disappear (pruned, keeping the newest 2).
        assert current_version(root) != version
        return None
    assert manifest["version"] == version
    return version, manifest["row_counts"], held


def test_readers_never_see_a_half_written_or_mixed_set(warehouse, tmp_path: Path) -> None:
    target = tmp_path / "warehouse" / "rox_marts.duckdb"
    root = published_parquet_root(target)
    _write_marts(warehouse, 1)
    publish_marts(warehouse, target, "run-0001")

    stop = threading.Event()
    kinds = ("duckdb", "parquet")
    read_done = {kind: threading.Event() for kind in kinds}
    seen: dict[str, set[str]] = {kind: set() for kind in kinds}
    errors: list[BaseException] = []

    def reader(kind: str) -> None:
        while not stop.is_set():
            try:
                got = _read_duckdb(target) if kind == "duckdb" else _read_parquet(root)
                if got is not None:
                    version, declared, held = got
                    assert held == declared, (kind, version, declared, held)
                    seen[kind].add(version)
            except BaseException as err:  # noqa: BLE001 - the main thread reports it
                errors.append(err)
                stop.set()
            read_done[kind].set()

    def readers_have_read() -> None:
        """Wait until each reader has finished a read since the last call (deadlock guard only)."""
        for kind in kinds:
            assert read_done[kind].wait(timeout=120) and not errors, errors
            read_done[kind].clear()

    threads = [threading.Thread(target=reader, args=(kind,)) for kind in kinds]
    for thread in threads:
        thread.start()
    try:
        for generation in range(2, PUBLISHES + 2):
            readers_have_read()
            _write_marts(warehouse, generation)
            publish_marts(warehouse, target, f"run-{generation:04d}")
        readers_have_read()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert len(seen["duckdb"]) > 1 and len(seen["parquet"]) > 1
    version, declared, held = _read_duckdb(target)
    assert declared == held == {"kpis": 700, "events": 21007, "odd": 1}
    assert version == current_version(root)


def test_only_complete_snapshots_are_swapped_in(
    warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "warehouse" / "rox_marts.duckdb"
    _write_marts(warehouse, 1)
    first = publish_marts(warehouse, target, "run-0001")

    def broken(con, relation: str, path: Path) -> None:
        path.write_bytes(b"half a parquet file")
        raise OSError("disk full")

    monkeypatch.setattr(marts_snapshot, "_write_parquet", broken)
    _write_marts(warehouse, 2)
    with pytest.raises(OSError, match="disk full"):
        publish_marts(warehouse, target, "run-0002")

    version, declared, held = _read_duckdb(target)
    assert version == first.version and declared == held == first.row_counts
    root = published_parquet_root(target)
    assert current_version(root) == first.version
    leftovers = [p.name for p in [*target.parent.iterdir(), *root.iterdir()] if "partial" in p.name]
    assert leftovers == []


def test_two_versions_are_kept_and_current_points_at_the_newest(warehouse, tmp_path) -> None:
    target = tmp_path / "warehouse" / "rox_marts.duckdb"
    published = []
    for generation in range(1, 5):
        _write_marts(warehouse, generation)
        published.append(publish_marts(warehouse, target, f"run-{generation:04d}"))
    root = published_parquet_root(target)
    versions = sorted(p.name for p in root.iterdir() if not p.is_symlink())
    assert versions == [published[-2].version, published[-1].version]
    assert current_version(root) == published[-1].version
    assert sorted(p.name for p in (root / "current").iterdir()) == [
        "_published.json",
        "events.parquet",
        "kpis.parquet",
        "rox_marts.duckdb",
    ]
    assert target.stat().st_mode & 0o222 == 0  # readers open it read-only
    assert target.resolve() == published[-1].file == root / published[-1].version / target.name


def _build(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """The version a connection reads and its row count of marts.kpis."""
    (version,) = con.execute("select distinct version from _published").fetchall()
    return version[0], con.execute("select count(*) from marts.kpis").fetchall()[0][0]


def test_a_bi_process_holding_a_connection_sees_the_new_build_on_a_new_connection(
    warehouse, tmp_path: Path
) -> None:
    """DuckDB shares one database instance per file within a process: a BI server that holds a
    connection used to get that instance (the old build) on every new connection it opened."""
    target = tmp_path / "warehouse" / "rox_marts.duckdb"
    current = published_parquet_root(target) / "current" / target.name
    _write_marts(warehouse, 1)
    older = publish_marts(warehouse, target, "run-0001")
    for generation, path in ((2, target), (3, current)):
        held = duckdb.connect(str(path), read_only=True)
        assert _build(held) == (older.version, 100 * (generation - 1))
        _write_marts(warehouse, generation)
        newer = publish_marts(warehouse, target, f"run-{generation:04d}")
        with duckdb.connect(str(path), read_only=True) as fresh:
            assert _build(fresh) == (newer.version, 100 * generation)
        # The connection held open keeps reading its own build, whole.
        assert _build(held) == (older.version, 100 * (generation - 1))
        held.close()
        older = newer


def test_the_regular_file_of_the_earlier_layout_becomes_the_link(warehouse, tmp_path) -> None:
    target = tmp_path / "warehouse" / "rox_marts.duckdb"
    with duckdb.connect(str(target)) as old:
        old.execute("create table stale as select 1 as x")
    _write_marts(warehouse, 1)
    published = publish_marts(warehouse, target, "run-0001")
    assert target.is_symlink() and target.resolve() == published.file
    version, declared, held = _read_duckdb(target)
    assert version == published.version and declared == held == {
        "kpis": 100,
        "events": 3007,
        "odd": 1,
    }


def test_published_path_defaults_beside_the_warehouse(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROX_WAREHOUSE", str(tmp_path / "wh" / "rox.duckdb"))
    monkeypatch.delenv("ROX_PUBLISHED_WAREHOUSE", raising=False)
    assert published_warehouse_path() == tmp_path / "wh" / "rox_marts.duckdb"
    monkeypatch.setenv("ROX_PUBLISHED_WAREHOUSE", str(tmp_path / "bi" / "marts.duckdb"))
    assert published_warehouse_path() == tmp_path / "bi" / "marts.duckdb"
    assert published_parquet_root(published_warehouse_path()) == tmp_path / "bi" / "published"
