"""ROX settings (config/rox.yml) and the investment ledger: load and validate with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analytics.rox import FORMULA_VERSION, SCOPE_COLUMN, Initiative, RoxSettings, to_0_100
from common.business_settings import BusinessSettings, load_business_settings
from common.strict_yaml import read_config_yaml

CX_COMPONENTS = ("nps", "csat", "ces", "review_rating", "sentiment")
INVESTMENT_KINDS = ("soft", "hard")
LEDGER_COLUMNS = (
    "initiative_id",
    "initiative_name",
    "scope_type",
    "scope_id",
    "investment_kind",
    "investment_category",
    "cost_per_month_eur",
    "start_month",
)


class RoxConfigError(ValueError):
    """ROX settings or a ledger that cannot be used; the message names file, row and field."""


def load_rox_settings(
    path: Path, business: BusinessSettings | None = None
) -> tuple[RoxSettings, str]:
    """ROX's method settings from `path`; the experience bands from the business settings."""
    data = read_config_yaml(path, RoxConfigError)
    return parse_rox_settings(data, path.name, business)


def parse_rox_settings(
    data: Any, name: str = "rox.yml", business: BusinessSettings | None = None
) -> tuple[RoxSettings, str]:
    allowed = {"version", "formula_version", "cx_index", "initiatives", "bootstrap"}
    if not isinstance(data, dict) or data.get("version") != 1:
        raise RoxConfigError(f"{name}: expected a mapping with version: 1")
    if "bands" in data:
        raise RoxConfigError(
            f"{name}: bands: the experience bands are business settings now: set heat_pain_below "
            "and heat_love_from in dbt_project/dbt_project.yml (vars), read by dbt and ROX alike"
        )
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RoxConfigError(f"{name}: unknown key(s) {', '.join(unknown)}")
    formula = data.get("formula_version", FORMULA_VERSION)
    if formula != FORMULA_VERSION:
        raise RoxConfigError(
            f"{name}: formula_version {formula!r}: this code computes {FORMULA_VERSION!r}"
        )
    weights = _section(name, data, "cx_index").get("weights", {})
    if not isinstance(weights, dict) or not weights:
        raise RoxConfigError(f"{name}: cx_index.weights must map components to weights")
    for component, weight in weights.items():
        if component not in CX_COMPONENTS:
            raise RoxConfigError(
                f"{name}: cx_index.weights: {component!r} is not one of {', '.join(CX_COMPONENTS)}"
            )
        _positive(name, f"cx_index.weights.{component}", weight, allow_zero=True)
    if sum(weights.values()) <= 0:
        raise RoxConfigError(f"{name}: cx_index.weights: at least one weight must be positive")
    business = business or load_business_settings()
    baseline = _section(name, data, "initiatives").get("baseline_months", 12)
    lag = _section(name, data, "initiatives").get("ex_cx_lag_months", 1)
    if not isinstance(lag, int) or isinstance(lag, bool) or not 0 <= lag <= 2:
        raise RoxConfigError(f"{name}: initiatives.ex_cx_lag_months must be 0, 1 or 2")
    method = _section(name, data, "initiatives").get("value_per_point", "cross_section")
    if method not in ("cross_section", "within"):
        raise RoxConfigError(
            f"{name}: initiatives.value_per_point must be cross_section or within, got {method!r}"
        )
    boot = _section(name, data, "bootstrap")
    samples, confidence = boot.get("samples", 200), boot.get("confidence", 0.95)
    if not isinstance(baseline, int) or not 1 <= baseline <= 36:
        raise RoxConfigError(f"{name}: initiatives.baseline_months must be an integer 1-36")
    if not isinstance(samples, int) or not 20 <= samples <= 10000:
        raise RoxConfigError(f"{name}: bootstrap.samples must be an integer 20-10000")
    if not isinstance(confidence, float) or not 0.5 <= confidence < 1:
        raise RoxConfigError(f"{name}: bootstrap.confidence must be a number in 0.5-1")
    settings = RoxSettings(
        cx_weights={k: float(v) for k, v in weights.items()},
        pain_below=business.heat_pain_below,
        love_from=business.heat_love_from,
        baseline_months=baseline,
        ex_cx_lag_months=lag,
        bootstrap_samples=samples,
        confidence=confidence,
        seed=int(boot.get("seed", 42)),
        value_per_point_method=method,
    )
    for component in settings.cx_weights:
        to_0_100(component, 0.0)  # every component has a 0-100 mapping
    return settings, formula


def _section(name: str, data: dict, key: str) -> dict:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise RoxConfigError(f"{name}: '{key}' must be a mapping")
    return section


def _positive(name: str, key: str, value: Any, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise RoxConfigError(f"{name}: {key} must be a positive number, got {value!r}")
    return float(value)


def parse_ledger(
    ledger: pd.DataFrame, known_scopes: dict[str, set[str]], name: str = "initiatives.csv"
) -> list[Initiative]:
    """Validate the investment ledger; errors name the file, the row (line) and the field: the
    landed export's own (`ledger_file`, `ledger_line`) where the ledger came from one."""
    missing = [c for c in LEDGER_COLUMNS if c not in ledger.columns]
    if missing:
        raise RoxConfigError(f"{name}: missing column(s) {', '.join(missing)}")
    initiatives, seen = [], set()
    for position, row in enumerate(ledger.to_dict("records")):
        file, line = row.get("ledger_file"), row.get("ledger_line")
        if pd.isna(file) or pd.isna(line):
            file, line = name, position + 2
        where = f"{file}: line {int(line)} ({row['initiative_id']})"
        if row["initiative_id"] in seen:
            raise RoxConfigError(f"{where}: initiative_id is used twice")
        seen.add(row["initiative_id"])
        if row["scope_type"] not in SCOPE_COLUMN:
            raise RoxConfigError(
                f"{where}: scope_type {row['scope_type']!r} is not one of {', '.join(SCOPE_COLUMN)}"
            )
        if row["scope_id"] not in known_scopes.get(row["scope_type"], set()):
            raise RoxConfigError(
                f"{where}: scope_id: unknown {row['scope_type']} {row['scope_id']!r}"
            )
        if row["investment_kind"] not in INVESTMENT_KINDS:
            raise RoxConfigError(
                f"{where}: investment_kind {row['investment_kind']!r} is not soft or hard"
            )
        cost = pd.to_numeric(pd.Series([row["cost_per_month_eur"]]), errors="coerce").iloc[0]
        if pd.isna(cost) or cost < 0:
            raise RoxConfigError(
                f"{where}: cost_per_month_eur {row['cost_per_month_eur']!r} is not an amount >= 0"
            )
        start = pd.to_datetime(str(row["start_month"]), errors="coerce")
        if pd.isna(start) or start.day != 1:
            raise RoxConfigError(
                f"{where}: start_month {row['start_month']!r} is not the first day of a month"
            )
        initiatives.append(
            Initiative(
                initiative_id=str(row["initiative_id"]),
                name=str(row["initiative_name"]),
                scope_type=row["scope_type"],
                scope_id=str(row["scope_id"]),
                investment_kind=row["investment_kind"],
                cost_per_month_eur=float(cost),
                start_month=start,
            )
        )
    return initiatives
