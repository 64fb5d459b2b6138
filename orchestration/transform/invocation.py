"""How a dbt step is invoked: one target folder per run, the run's vars, the partition window.

dbt reuses its partial parse only while the vars, the `--target` and the profile are those of the
parse it saved (dbt's `ManifestStateCheck`). So:
- `make manifest` parses with the run's `--target` (dagster-dbt always passes one);
- a partition's date window reaches dbt through the environment (`ROX_DBT_MIN_DATE`,
  `ROX_DBT_MAX_DATE`, read by the `date_var` macro at run time), not as `--vars`;
- the run's overrides of the business settings are `--vars` (the same in every step), and every
  dbt step of a run shares one target folder, so only the first step re-parses with them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

# The partition window, as the date_var macro (dbt_project/macros/date_window.sql) reads it.
WINDOW_ENV = {"min_date": "ROX_DBT_MIN_DATE", "max_date": "ROX_DBT_MAX_DATE"}
# Target folders of earlier runs kept for inspection (compiled SQL, dbt.log, run_results.json).
RUN_TARGETS_KEPT = 5
RUN_TARGET_PREFIX = "run-"


def target_base(project_dir: Path) -> Path:
    """dbt's target folder (DBT_TARGET_PATH, else `target/` in the project), where `make
    manifest` leaves the manifest and the partial parse that every step starts from."""
    base = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return base if base.is_absolute() else project_dir / base


def run_target_path(project_dir: Path, run_id: str) -> Path:
    """The target folder every dbt step of the run `run_id` shares."""
    return target_base(project_dir) / f"{RUN_TARGET_PREFIX}{run_id}"


def prune_run_targets(project_dir: Path, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Remove the target folders of all but the newest `keep` runs; return those removed."""
    base = target_base(project_dir)
    if not base.is_dir():
        return []
    runs = sorted(
        (p for p in base.iterdir() if p.is_dir() and p.name.startswith(RUN_TARGET_PREFIX)),
        key=lambda p: p.stat().st_mtime,
    )
    removed = runs[: max(len(runs) - keep, 0)]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


@contextmanager
def window_environment(window: Mapping[str, str] | None) -> Iterator[None]:
    """Set the partition window's variables while the dbt process is started (dagster-dbt copies
    the environment when it starts dbt), then restore the environment."""
    values = {WINDOW_ENV[name]: value for name, value in (window or {}).items()}
    saved = {name: os.environ.get(name) for name in WINDOW_ENV.values()}
    for name in WINDOW_ENV.values():
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
