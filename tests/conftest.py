"""Shared fixtures: a small demo company on disk, dbt's manifest, an isolated warehouse per
test and a built warehouse shared by the session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demo.generate import generate
from tests.helpers import Demo, build_warehouse, dbt_manifest_path, load_demo_raw

SMALL_CUSTOMERS = 300
SEED = 7


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A few hundred customers, generated once per session. Treat it as read-only."""
    landing = tmp_path_factory.mktemp("landing")
    generate(SMALL_CUSTOMERS, SEED, landing)
    return Demo(landing, json.loads((landing / "ground_truth.json").read_text()))


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the warehouse, its Parquet copies, the landing and archive folders and DAGSTER_HOME
    at fresh folders; return the db path. The Parquet folder too: importing the definitions
    exports the resolved default (beside the checkout's warehouse) for the whole session, and a
    test would otherwise overwrite the demo warehouse's Parquet copies."""
    warehouse = tmp_path / "warehouse" / "rox.duckdb"
    warehouse.parent.mkdir()
    monkeypatch.setenv("ROX_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ROX_RAW_PARQUET_DIR", str(warehouse.parent / "parquet" / "raw"))
    monkeypatch.setenv("ROX_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("ROX_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.delenv("ROX_PSEUDONYM_SALT", raising=False)
    return warehouse


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, parsed once per session (the Dagster definitions read it)."""
    return dbt_manifest_path()


@pytest.fixture(scope="session")
def built_small_warehouse(small_demo, dbt_manifest, tmp_path_factory) -> Path:
    """The small demo company loaded through the raw assets and built by dbt (`build_warehouse`).

    Shared by the session: treat it as read-only (copy the file to change it).
    """
    root = tmp_path_factory.mktemp("built_small")
    database = root / "warehouse" / "rox.duckdb"
    database.parent.mkdir()
    load_demo_raw(database, small_demo, root / "archive")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(database))
        result = build_warehouse()
    assert result.returncode == 0, result.stdout[-3000:]
    return database
