"""Shared fixtures: a small demo company on disk and an isolated warehouse per test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.generate import generate
from ingest.settings import DBT_PROJECT_DIR

SMALL_CUSTOMERS = 300
SEED = 7


@dataclass(frozen=True)
class Demo:
    landing: Path
    truth: dict

    @property
    def crm(self) -> Path:
        return self.landing / "crm"


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A few hundred customers, generated once per session. Treat it as read-only."""
    landing = tmp_path_factory.mktemp("landing")
    generate(SMALL_CUSTOMERS, SEED, landing)
    return Demo(landing, json.loads((landing / "ground_truth.json").read_text()))


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the warehouse, archive and DAGSTER_HOME at fresh folders; return the db path."""
    warehouse = tmp_path / "warehouse" / "rox.duckdb"
    warehouse.parent.mkdir()
    monkeypatch.setenv("ROX_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ROX_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.delenv("ROX_PSEUDONYM_SALT", raising=False)
    return warehouse


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, parsed once per session (the Dagster definitions read it)."""
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def run_dbt(*args: str) -> subprocess.CompletedProcess:
    """Run the project's dbt with the current environment; output captured for assertions."""
    dbt = Path(sys.executable).parent / "dbt"
    return subprocess.run(
        [str(dbt), *args, "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )


def load_demo_raw(warehouse: Path, demo: Demo, archive: Path, salt: str | None = "test-salt"):
    """Land every source file of `demo` into `warehouse` the way the raw assets do."""
    import duckdb

    from ingest.crm import CRM_SOURCES
    from ingest.csv_loader import load_csv_source
    from ingest.pseudonym import ensure_salt
    from ingest.review_export_loader import REVIEW_EXPORT_SOURCES, load_review_exports
    from ingest.review_sync import sync_business_unit
    from ingest.reviews import ReviewApiClient
    from ingest.settings import REPO_ROOT
    from ingest.survey_loader import load_survey_files
    from ingest.survey_mapping import load_survey_mapping
    from orchestration.assets.text_signals import compute_text_signals

    mapping = load_survey_mapping(REPO_ROOT / "config" / "survey_mapping.yml")
    with duckdb.connect(str(warehouse)) as con:
        ensure_salt(con, salt)
        reports = [load_csv_source(con, s, demo.landing, archive) for s in CRM_SOURCES]
        reports.append(load_survey_files(con, demo.landing, archive, mapping))
        reports += [
            load_review_exports(con, s, demo.landing, archive) for s in REVIEW_EXPORT_SOURCES
        ]
        with demo_review_server(demo) as server:
            client = ReviewApiClient(server.url, api_key=server.api_key)
            for unit in server.business_units:
                sync_business_unit(con, client, unit)
        compute_text_signals(con, REPO_ROOT / "config" / "themes.yml")
        return reports


class _DemoServer:
    def __init__(self, server, api_key: str, business_units: list[str]) -> None:
        self.url, self.api_key, self.business_units = server.url, api_key, business_units


@contextmanager
def demo_review_server(demo: Demo, **options):
    """The demo review API on loopback, serving the demo company's reviews."""
    from demo.review_api import ReviewApiServer

    reviews = json.loads((demo.landing / "demo_api" / "trustpilot_reviews.json").read_text())
    api_key = "test-key-" + "x" * 16
    with ReviewApiServer(reviews, api_key=api_key, **options) as server:
        yield _DemoServer(server, api_key, list(reviews))
