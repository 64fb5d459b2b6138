"""Resources: the DuckDB warehouse, the dbt CLI and the pseudonymisation salt.

Both Dagster and dbt read the warehouse path from `ROX_WAREHOUSE` (see common/settings.py).
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from common.settings import warehouse_path
from orchestration.transform.project import rox_dbt_project

# DuckDB takes one writer per file: every step that opens the warehouse runs in this pool,
# whose limit is 1 (`.dagster/dagster.yaml`, concurrency.pools.default_limit).
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseDuckDB(DuckDBResource):
    """The DuckDB resource, with its connection closed even when the step fails.

    dagster-duckdb closes the connection only after a clean exit; after a failed step it lived
    on (held by the traceback) until garbage collection, and a read-only reader in the same
    process (the publish step, a test) was refused for opening the file "with a different
    configuration".
    """

    @contextmanager
    def get_connection(self):
        manager = super().get_connection()
        conn = manager.__enter__()
        try:
            yield conn
        finally:
            conn.close()


class PseudonymSalt(dg.ConfigurableResource):
    """The secret salt for pseudonymous keys; None keeps the stored salt (or makes one)."""

    salt: str | None = None


class ReviewApi(dg.ConfigurableResource):
    """The review API (Trustpilot-shaped). The key is a secret: it comes from the environment
    through `EnvVar` and is never logged or written to run metadata."""

    base_url: str | None = None
    api_key: str | None = None
    business_units: str = ""

    @property
    def business_unit_ids(self) -> list[str]:
        return [u.strip() for u in self.business_units.split(",") if u.strip()]


def _review_api() -> ReviewApi:
    """ROX_REVIEW_API_URL, ROX_REVIEW_API_KEY, ROX_REVIEW_BUSINESS_UNITS when set."""
    settings = {
        field: dg.EnvVar(name)
        for field, name in (
            ("base_url", "ROX_REVIEW_API_URL"),
            ("api_key", "ROX_REVIEW_API_KEY"),
            ("business_units", "ROX_REVIEW_BUSINESS_UNITS"),
        )
        if os.environ.get(name)
    }
    return ReviewApi(**settings)


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def build_resources() -> dict[str, object]:
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    salt = (
        PseudonymSalt(salt=dg.EnvVar("ROX_PSEUDONYM_SALT"))
        if os.environ.get("ROX_PSEUDONYM_SALT")
        else PseudonymSalt()
    )
    return {
        "duckdb": WarehouseDuckDB(database=str(warehouse)),
        "dbt": DbtCliResource(project_dir=rox_dbt_project, dbt_executable=dbt_executable()),
        "pseudonym_salt": salt,
        "review_api": _review_api(),
    }
