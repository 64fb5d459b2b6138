"""Value per point: EUR of margin per customer-year that one 0-100 point of experience in a
scope is worth, estimated two ways with the same joint bootstrap weights.

- Cross-section (the default): the slope of customers' annual margin on their mean score in
  the scope (the behaviour gap between customers).
- Within customers (fixed effects): the same customers in different months; the slope of the
  customer's forward margin (the next `value_per_point_horizon_months` months, annualised,
  dbt `int_customer_forward_margin`) on their score that month, both centred on the customer's
  own mean, so what differs between customers drops out.

`config/rox.yml initiatives.value_per_point` chooses which one the value uses; both are
reported. docs/rox.md says which is closer to the demo's planted truth and why.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from analytics.rox import mean_scores


class CustomerWeights(Protocol):
    """The joint bootstrap's weights (`analytics.rox_initiatives.CustomerWeights`)."""

    reps: int

    def positions(self, ids: np.ndarray) -> np.ndarray: ...

    def replicate(self, r: int) -> np.ndarray: ...


METHODS = ("cross_section", "within")
FORWARD_COLUMNS = ["customer_id", "month_start", "forward_margin_annual_eur"]


def slope_replicates(
    x: np.ndarray, y: np.ndarray, ids: np.ndarray, weights: CustomerWeights
) -> np.ndarray:
    """Weighted OLS slope of y on x (one row per customer `ids`), replicate 0..reps."""
    position = weights.positions(ids)
    slopes = np.empty(weights.reps + 1)
    for r in range(weights.reps + 1):
        w = weights.replicate(r)[position]
        total = w.sum()
        if total == 0:
            slopes[r] = np.nan
            continue
        mx, my = (w @ x) / total, (w @ y) / total
        var = w @ (x - mx) ** 2
        slopes[r] = (w @ ((x - mx) * (y - my))) / var if var > 0 else np.nan
    return slopes


def cross_section(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    column: str,
    scope_id: str,
    weights: CustomerWeights,
) -> np.ndarray:
    """The slope of customers' annual margin on their mean score in the scope."""
    in_scope = scores[(scores[column] == scope_id) & scores["customer_id"].notna()]
    scope_scores = mean_scores(in_scope, ["customer_id"])
    linked = customers.set_index("customer_id").join(scope_scores.rename("x"), how="inner")
    return slope_replicates(
        linked["x"].to_numpy(float),
        linked["annual_margin_eur"].to_numpy(float),
        linked.index.to_numpy("int64"),
        weights,
    )


def within(
    scores: pd.DataFrame,
    forward: pd.DataFrame | None,
    column: str,
    scope_id: str,
    weights: CustomerWeights,
) -> tuple[np.ndarray, int]:
    """The fixed-effects slope of forward margin on the month's score in the scope, over the
    customers seen in at least two months; and how many customers that is. A customer's
    bootstrap weight multiplies all their months, so centring on the customer's own means is
    the same in every replicate."""
    empty = np.full(weights.reps + 1, np.nan), 0
    if forward is None or forward.empty:
        return empty
    in_scope = scores[(scores[column] == scope_id) & scores["customer_id"].notna()]
    x = mean_scores(in_scope, ["customer_id", "month_start"]).rename("x")
    keyed = forward.assign(month_start=pd.to_datetime(forward["month_start"])).set_index(
        ["customer_id", "month_start"]
    )["forward_margin_annual_eur"]
    panel = x.to_frame().join(keyed.rename("y"), how="inner").reset_index()
    months = panel.groupby("customer_id")["x"].transform("size")
    panel = panel[months >= 2]
    if panel.empty:
        return empty
    by_customer = panel.groupby("customer_id")
    xd = (panel["x"] - by_customer["x"].transform("mean")).to_numpy(float)
    yd = (panel["y"] - by_customer["y"].transform("mean")).to_numpy(float)
    position = weights.positions(panel["customer_id"].to_numpy("int64"))
    slopes = np.empty(weights.reps + 1)
    for r in range(weights.reps + 1):
        w = weights.replicate(r)[position]
        var = w @ (xd * xd)
        slopes[r] = (w @ (xd * yd)) / var if var > 0 else np.nan
    return slopes, int(panel["customer_id"].nunique())


def value_per_point_steps(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    forward: pd.DataFrame | None,
    column: str,
    scope_id: str,
    weights: CustomerWeights,
    method: str = "cross_section",
) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """The replicates of the chosen method, both methods' replicates (as steps with
    intervals: `value_per_point_cross_section_eur`, `value_per_point_within_eur`) and the
    customers behind the within estimate."""
    if method not in METHODS:
        raise ValueError(f"value per point method {method!r} is not one of {', '.join(METHODS)}")
    between = cross_section(scores, customers, column, scope_id, weights)
    fixed, n_within = within(scores, forward, column, scope_id, weights)
    steps = {"value_per_point_cross_section_eur": between, "value_per_point_within_eur": fixed}
    return (between if method == "cross_section" else fixed), steps, n_within
