"""Paths and settings read from the environment, with defaults that work from a fresh clone.

Relative paths are resolved against the repository root, so the Dagster process, dbt (which runs
in `dbt_project/`) and the CLI scripts all see the same files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

DEFAULTS = {
    "ROX_WAREHOUSE": "warehouse/rox.duckdb",
    "ROX_LANDING_DIR": "data/landing",
    "ROX_ARCHIVE_DIR": "data/archive",
    "ROX_RAW_PARQUET_DIR": "warehouse/parquet/raw",
    "ROX_SURVEY_MAPPING": "config/survey_mapping.yml",
    "ROX_THEMES": "config/themes.yml",
    "ROX_METRICS": "config/metrics.yml",
    "ROX_OKRS": "config/okrs.yml",
    "ROX_SCORE_CONFIG": "config/rox.yml",
}


def _resolve(name: str) -> Path:
    path = Path(os.environ.get(name) or DEFAULTS[name]).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def warehouse_path() -> Path:
    """The DuckDB file of the warehouse (`ROX_WAREHOUSE`)."""
    return _resolve("ROX_WAREHOUSE")


def landing_dir() -> Path:
    """Where source exports land (`ROX_LANDING_DIR`)."""
    return _resolve("ROX_LANDING_DIR")


def archive_dir() -> Path:
    """Immutable, content-addressed copies of every file loaded (`ROX_ARCHIVE_DIR`)."""
    return _resolve("ROX_ARCHIVE_DIR")


def raw_parquet_dir() -> Path:
    """Parquet copies of the raw tables, read by dbt on Spark (`ROX_RAW_PARQUET_DIR`)."""
    return _resolve("ROX_RAW_PARQUET_DIR")


def survey_mapping_path() -> Path:
    """The survey mapping: what each survey question measures (`ROX_SURVEY_MAPPING`)."""
    return _resolve("ROX_SURVEY_MAPPING")


def theme_taxonomy_path() -> Path:
    """The theme taxonomy of customer texts (`ROX_THEMES`)."""
    return _resolve("ROX_THEMES")


def metric_catalogue_path() -> Path:
    """The metric catalogue (`ROX_METRICS`)."""
    return _resolve("ROX_METRICS")


def okrs_path() -> Path:
    """Objectives and key results (`ROX_OKRS`)."""
    return _resolve("ROX_OKRS")


def rox_config_path() -> Path:
    """ROX score weights and method settings (`ROX_SCORE_CONFIG`)."""
    return _resolve("ROX_SCORE_CONFIG")


# DuckDB otherwise takes 80% of the machine's memory; with a limit it spills to `<file>.tmp`.
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"
_MEMORY_LIMIT = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every warehouse connection and dbt (`ROX_DUCKDB_MEMORY_LIMIT`).

    A size such as `3GB` or `8GiB`; anything else is refused here, before DuckDB or dbt would
    fail on it later with a less clear message.
    """
    value = os.environ.get("ROX_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY_LIMIT.match(value):
        raise ValueError(
            f"ROX_DUCKDB_MEMORY_LIMIT={value!r} is not a memory size such as '3GB' or '8GiB'"
        )
    return value.replace(" ", "")


def export_resolved_paths() -> None:
    """Write the absolute paths back to the environment so child processes (dbt) agree."""
    os.environ["ROX_WAREHOUSE"] = str(warehouse_path())
    os.environ["ROX_LANDING_DIR"] = str(landing_dir())
    os.environ["ROX_ARCHIVE_DIR"] = str(archive_dir())
    os.environ["ROX_RAW_PARQUET_DIR"] = str(raw_parquet_dir())
    os.environ["ROX_DUCKDB_MEMORY_LIMIT"] = duckdb_memory_limit()
