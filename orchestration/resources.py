"""Resources: the DuckDB warehouse, the dbt CLI and the pseudonymisation salt.

Both Dagster and dbt read the warehouse path from `ROX_WAREHOUSE` (see common/settings.py).
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from common.business_settings import BusinessSettings, load_business_settings
from common.settings import duckdb_memory_limit, warehouse_path
from orchestration.transform.project import rox_dbt_project

# DuckDB takes one writer per file: every step that opens the warehouse runs in this pool,
# whose limit is 1 (`.dagster/dagster.yaml`, concurrency.pools.default_limit).
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseDuckDB(DuckDBResource):
    """The DuckDB resource, with its connection closed even when the step fails and DuckDB's
    memory limit set (`ROX_DUCKDB_MEMORY_LIMIT`, as dbt's profile sets it).

    The limit is a `SET`, not connection config: a second connection in the same process with
    a different config is refused by DuckDB.

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
            conn.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
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


class BusinessSettingsOverrides(dg.ConfigurableResource):
    """One run's overrides of the business settings (the `vars` of dbt_project.yml).

    A resource, so one value holds for the whole run: every dbt step gets the overrides as
    `--vars` and every Python step that reads a business setting (CLV, ROX, the report) reads
    `settings()`. A field left empty keeps the value in dbt_project.yml. In the launchpad or a
    run config: `resources: {business_settings: {config: {addressable_market_customers: 2000000}}}`.
    """

    cost_per_ticket_eur: float | None = None
    addressable_market_customers: int | None = None
    active_window_days: int | None = None
    clv_time_unit_days: int | None = None
    clv_holdout_weeks: int | None = None
    clv_horizon_months: int | None = None
    clv_annual_discount_rate: float | None = None
    clv_margin_rate: float | None = None
    clv_at_risk_p_alive: float | None = None
    heat_pain_below: float | None = None
    heat_love_from: float | None = None
    moments_that_matter: int | None = None
    min_answers_survey_metric: int | None = None
    min_signals_heatmap_cell: int | None = None
    min_observations_metric: int | None = None
    roadmap_parallel_actions: int | None = None
    value_per_point_horizon_months: int | None = None

    def settings(self) -> BusinessSettings:
        """The business settings of this run: dbt_project.yml with the overrides, validated."""
        return load_business_settings(overrides=self._given())

    def dbt_vars(self) -> dict[str, Any]:
        """The overrides that change a value, as dbt vars (validated first); empty without any,
        so dbt's parse state stays that of `make manifest` and every step reuses its parse."""
        defaults = load_business_settings().as_dbt_vars()
        chosen = self.settings().as_dbt_vars()
        return {k: v for k, v in chosen.items() if k in self._given() and v != defaults[k]}

    def _given(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


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


# The adapter dagster-dbt reads row counts and columns through, kept for the process (one entry).
_DBT_ADAPTERS: dict[tuple, object] = {}


class RoxDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two fixed costs it pays again and again.

    dagster-dbt runs `dbt --version` in a subprocess once per run (seconds of imports) to learn
    the version of the dbt beside this Python, and builds a dbt adapter in this process for every
    dbt step (loading the project and parsing its 500 macros, about a second) only to read row
    counts and columns after dbt has exited. The version is the installed dbt-core's; the adapter
    is built once per process and warehouse (it opens the warehouse read-only, per query).
    """

    @cached_property
    def _cli_version(self):
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            from dbt.version import __version__
            from packaging import version

            return version.parse(__version__)
        return DbtCliResource._cli_version.func(self)

    def _initialize_dbt_core_adapter(self, args):
        key = (
            str(self.project_dir),
            self.profiles_dir,
            self.profile,
            self.target,
            *(os.environ.get(name) for name in ("ROX_WAREHOUSE", "ROX_DBT_TARGET")),
        )
        if key not in _DBT_ADAPTERS:
            adapter = super()._initialize_dbt_core_adapter(args)
            _DBT_ADAPTERS.clear()
            _DBT_ADAPTERS[key] = adapter
        return _DBT_ADAPTERS[key]


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
        "dbt": RoxDbtCli(project_dir=rox_dbt_project, dbt_executable=dbt_executable()),
        "pseudonym_salt": salt,
        "review_api": _review_api(),
        "business_settings": BusinessSettingsOverrides(),
    }
