"""The business settings, defined once: the `vars` of `dbt_project/dbt_project.yml`.

dbt reads them as `var('...')`; the Python marts, the report and the checks read the same file
here, so a threshold such as the experience bands cannot drift between SQL and Python. A run may
override any of them (dbt's `--vars`, the Dagster run config); the file gives the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from common.settings import DBT_PROJECT_DIR
from common.strict_yaml import read_config_yaml

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"


class BusinessSettingsError(ValueError):
    """A business setting that is missing or cannot be used; the message names file and key."""


@dataclass(frozen=True)
class BusinessSettings:
    """Every business setting (units in the names); documented beside each in dbt_project.yml."""

    cost_per_ticket_eur: float
    addressable_market_customers: int
    active_window_days: int
    clv_time_unit_days: int
    clv_holdout_weeks: int
    clv_horizon_months: int
    clv_annual_discount_rate: float
    clv_margin_rate: float
    clv_at_risk_p_alive: float
    # The experience bands on the 0-100 scale, shared by the journey heatmap and ROX.
    heat_pain_below: float
    heat_love_from: float
    moments_that_matter: int
    # Small samples: the least n a published value needs (below it: null, is_suppressed).
    min_answers_survey_metric: int
    min_signals_heatmap_cell: int
    min_observations_metric: int
    # The action roadmap: how many actions run at once.
    roadmap_parallel_actions: int
    # ROX's within-customer value per point: months of forward margin after a month (1-12).
    value_per_point_horizon_months: int
    # Source freshness (hours since a source's newest load): a warning, then a blocking gate;
    # read when the definitions load (a run's override does not move the checks).
    source_freshness_warn_hours_daily: int
    source_freshness_error_hours_daily: int
    source_freshness_warn_hours_weekly: int
    source_freshness_error_hours_weekly: int

    def as_dbt_vars(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def load_business_settings(
    path: Path = DBT_PROJECT_FILE, overrides: Mapping[str, Any] | None = None
) -> BusinessSettings:
    """The settings in `path` (dbt_project.yml), with a run's `overrides` applied, validated."""
    document = read_config_yaml(path, BusinessSettingsError)
    found = dict((document or {}).get("vars") or {}) if isinstance(document, dict) else {}
    found.update(overrides or {})
    values = {}
    for spec in fields(BusinessSettings):
        if spec.name not in found:
            raise BusinessSettingsError(f"{path.name}: vars: {spec.name} is missing")
        values[spec.name] = _number(path.name, spec.name, found[spec.name], spec.type == "int")
    settings = BusinessSettings(**values)
    _validate(path.name, settings)
    return settings


def _number(file: str, key: str, value: Any, integer: bool) -> float | int:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < 0 or (integer and value != int(value)):
        kind = "a whole number" if integer else "a number"
        raise BusinessSettingsError(f"{file}: vars: {key} must be {kind} >= 0, got {value!r}")
    return int(value) if integer else float(value)


def _validate(file: str, s: BusinessSettings) -> None:
    def fail(message: str) -> BusinessSettingsError:
        return BusinessSettingsError(f"{file}: vars: {message}")

    if not 0 < s.heat_pain_below < s.heat_love_from <= 100:
        raise fail("need 0 < heat_pain_below < heat_love_from <= 100 (the 0-100 bands)")
    if not 0 < s.clv_margin_rate <= 1:
        raise fail(f"clv_margin_rate must be in (0, 1], got {s.clv_margin_rate}")
    if not 0 < s.clv_at_risk_p_alive < 1:
        raise fail(f"clv_at_risk_p_alive must be in (0, 1), got {s.clv_at_risk_p_alive}")
    if s.clv_horizon_months < 1 or s.clv_time_unit_days < 1 or s.active_window_days < 1:
        raise fail("clv_horizon_months, clv_time_unit_days and active_window_days must be >= 1")
    smallest = (s.min_answers_survey_metric, s.min_signals_heatmap_cell, s.min_observations_metric)
    if min(smallest) < 1 or s.roadmap_parallel_actions < 1:
        raise fail(
            "min_answers_survey_metric, min_signals_heatmap_cell, min_observations_metric and "
            "roadmap_parallel_actions must be >= 1"
        )
    if not 1 <= s.value_per_point_horizon_months <= 12:
        raise fail(
            f"value_per_point_horizon_months must be 1-12, got {s.value_per_point_horizon_months}"
        )
    for cadence in ("daily", "weekly"):
        warn = getattr(s, f"source_freshness_warn_hours_{cadence}")
        error = getattr(s, f"source_freshness_error_hours_{cadence}")
        if not 1 <= warn <= error:
            raise fail(
                f"need 1 <= source_freshness_warn_hours_{cadence} <= "
                f"source_freshness_error_hours_{cadence} (the warning comes first)"
            )
