"""What many tests share that is not a fixture: the demo company on disk, dbt, the demo review
API, and loading or building a warehouse through the real Dagster assets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from common.settings import DBT_PROJECT_DIR

# Strings that would change a statement if configuration or file content reached SQL as text.
INJECTIONS = ["x'; drop table raw.load_log; --", 'a"b', "../../etc/passwd"]

# The daily partition the test runs build: the last day of the demo data (their first build of
# a daily fact covers every date anyway).
DEMO_LAST_DAY = "2026-10-31"


@dataclass(frozen=True)
class Demo:
    landing: Path
    truth: dict

    @property
    def crm(self) -> Path:
        return self.landing / "crm"


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


_MANIFEST_PARSED: list[Path] = []


def dbt_manifest_path() -> Path:
    """dbt's manifest, parsed once per test session (the Dagster definitions read it), with the
    `--target` the dbt steps pass, as `make manifest` does: a step reuses this partial parse
    when its profile (the warehouse path) is the one parsed with."""
    if not _MANIFEST_PARSED:
        result = run_dbt("parse", "--quiet", "--target", os.environ.get("ROX_DBT_TARGET", "duckdb"))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        _MANIFEST_PARSED.append(DBT_PROJECT_DIR / "target" / "manifest.json")
    return _MANIFEST_PARSED[0]


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


def pipeline_env(root: Path, landing: Path) -> dict[str, str]:
    """The settings of a whole-pipeline run whose warehouse and archive live under `root`."""
    return {
        "ROX_WAREHOUSE": str(root / "warehouse" / "rox.duckdb"),
        "ROX_LANDING_DIR": str(landing),
        "ROX_ARCHIVE_DIR": str(root / "archive"),
        "ROX_RAW_PARQUET_DIR": str(root / "warehouse" / "parquet" / "raw"),
        "DO_NOT_TRACK": "1",
    }


def run_daily_refresh(
    env: dict[str, str], instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """The job `daily_refresh` for the demo's last day, in this process, with `env` set."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in ("ROX_PSEUDONYM_SALT", "ROX_REVIEW_API_URL", "ROX_REVIEW_API_KEY"):
            if key not in env:
                mp.delenv(key, raising=False)
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def("daily_refresh")
        return job.execute_in_process(
            instance=instance or dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            partition_key=DEMO_LAST_DAY,
        )


def load_demo_raw(
    warehouse: Path, demo: Demo, archive: Path, salt: str | None = "test-salt"
) -> dg.ExecuteInProcessResult:
    """Land every source of `demo` into `warehouse` by materialising the real raw assets (group
    `raw`: the salt, every source, the text signals; the review API through its client against
    the demo server on loopback)."""
    from orchestration.definitions import build_definitions

    dbt_manifest_path()
    parquet = os.environ.get("ROX_RAW_PARQUET_DIR") or str(warehouse.parent / "parquet" / "raw")
    with demo_review_server(demo) as server, pytest.MonkeyPatch.context() as mp:
        settings = {
            "ROX_WAREHOUSE": str(warehouse),
            "ROX_LANDING_DIR": str(demo.landing),
            "ROX_ARCHIVE_DIR": str(archive),
            "ROX_RAW_PARQUET_DIR": parquet,
            "ROX_REVIEW_API_URL": server.url,
            "ROX_REVIEW_API_KEY": server.api_key,
            "ROX_REVIEW_BUSINESS_UNITS": ",".join(server.business_units),
            "DO_NOT_TRACK": "1",
        }
        for key, value in settings.items():
            mp.setenv(key, value)
        if salt:
            mp.setenv("ROX_PSEUDONYM_SALT", salt)
        else:
            mp.delenv("ROX_PSEUDONYM_SALT", raising=False)
        defs = build_definitions()
        # The assets alone: the gates have tests of their own and need not run for every load.
        result = dg.materialize(
            list(defs.assets),
            selection=dg.AssetSelection.groups("raw"),
            resources=defs.resources,
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    assert result.success, [str(e) for e in result.all_events if e.is_failure]
    return result


def table_row_counts(con) -> dict[str, int]:
    """Every table with its row count: what "the warehouse is unchanged" compares."""
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog') order by 1"
    ).fetchall()
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in names}
