"""ROX per initiative and of the portfolio: effect, lasting value, investment, with one joint
bootstrap over customers.

- Hard initiatives act on CX directly: the effect is a difference in differences of 0-100
  experience scores in the scope the initiative changed against the untouched scopes.
- Lasting value: a level gain keeps paying while it lasts. Each month since the start accrues
  effect x value per point x customers touched that month / 12 (a month of a customer-year).
- Joint bootstrap: replicate r gives every customer one Poisson(1) weight, drawn from
  `seed` and r over the sorted customer ids (`CustomerWeights`), so every initiative, and the
  value per point, sees the same customers resampled in a replicate; the portfolio sums the
  initiatives' replicates, so its interval carries what they share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.rox import (
    SCOPE_COLUMN,
    SCORE_COUNT,
    SCORE_SUM,
    Initiative,
    RoxSettings,
    _interval,
)
from analytics.value_per_point import value_per_point_steps

HARD_CHANNEL = "CX -> value"
SOFT_CHANNEL = "EX -> CX -> value"


class CustomerWeights:
    """Poisson(1) bootstrap weights per customer id, the same for every caller in a replicate.

    Replicate 0 is the data (all weights 1). Replicate r >= 1 draws from `seed` and r alone, so
    the weight of a customer does not depend on which rows a caller holds or their order.
    """

    def __init__(self, ids: np.ndarray, seed: int, reps: int) -> None:
        self.ids = np.unique(np.asarray(ids, dtype="int64"))
        self.seed, self.reps = seed, reps
        self._cache: dict[int, np.ndarray] = {}

    def positions(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype="int64")
        position = np.searchsorted(self.ids, ids)
        if len(ids) and (position.max() >= len(self.ids) or (self.ids[position] != ids).any()):
            raise ValueError("customer ids outside the bootstrap's customers")
        return position

    def replicate(self, r: int) -> np.ndarray:
        if r == 0:
            return np.ones(len(self.ids))
        if r not in self._cache:
            rng = np.random.default_rng([self.seed, r])
            self._cache[r] = rng.poisson(1.0, len(self.ids)).astype(float)
        return self._cache[r]


def customer_weights(
    scores: pd.DataFrame, customers: pd.DataFrame, settings: RoxSettings
) -> CustomerWeights:
    ids = np.concatenate(
        [
            scores["customer_id"].dropna().to_numpy("int64"),
            customers["customer_id"].dropna().to_numpy("int64"),
        ]
    )
    return CustomerWeights(ids, settings.seed, settings.bootstrap_samples)


def months_live(initiative: Initiative, as_of_month: pd.Timestamp) -> int:
    start = pd.Timestamp(initiative.start_month)
    if as_of_month < start:
        return 0
    return (as_of_month.year - start.year) * 12 + as_of_month.month - start.month + 1


def did_replicates(
    scores: pd.DataFrame,
    column: str,
    scope_id: str,
    start: pd.Timestamp,
    weights: CustomerWeights,
    within: bool = False,
) -> np.ndarray | None:
    """Difference in differences of `scope_id`'s scores against the other scopes of `column`
    (rows before `start` against rows from it), for replicate 0..reps; None when one side has
    no data. The control change is the mean of each control scope's change, weighted by its
    signals after, so a shift in the mix of scopes is not read as an effect.

    Pooled (default): a scope's change is its mean after minus its mean before. `within`: the
    mean over the units (customers, employees) seen both before and after, weighted by their
    signals after, of their own change, so who joins and who leaves is not read as a change;
    but where leaving depends on the outcome before (customers with a late delivery stop
    buying), the units that stay were selected on it and the within change is biased: ROX uses
    it for employees (EX), pooled for customers (docs/rox.md, "Calibration").
    """
    groups = np.where(scores[column] == scope_id, 0, 1 + pd.factorize(scores[column])[0])
    post = (scores["month_start"] >= start).to_numpy()
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    if n_groups < 2:
        return None
    n_cells = 2 * n_groups
    cell = 2 * groups + np.where(post, 0, 1)
    # Sums and counts per customer and cell, so a replicate weighs customers, not rows.
    codes, uniques = pd.factorize(scores["customer_id"])
    position = weights.positions(uniques.to_numpy("int64"))
    key = codes * n_cells + cell
    size = len(uniques) * n_cells
    sums = np.bincount(key, scores[SCORE_SUM].to_numpy(float), minlength=size).reshape(-1, n_cells)
    counts = np.bincount(key, scores[SCORE_COUNT].to_numpy(float), minlength=size)
    counts = counts.reshape(-1, n_cells)
    after, before = counts[:, 0::2], counts[:, 1::2]
    both = (after > 0) & (before > 0) if within else np.ones_like(after, dtype=bool)
    if not within:
        return _pooled(sums, counts, position, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(both, sums[:, 0::2] / after - sums[:, 1::2] / before, 0.0)
    mass = np.where(both, after, 0.0)  # customers x groups
    if mass[:, 0].sum() == 0 or mass[:, 1:].sum() == 0:
        return None
    weighted = mass * change
    effect = np.empty(weights.reps + 1)
    for r in range(weights.reps + 1):
        w = weights.replicate(r)[position]
        group_mass = w @ mass
        with np.errstate(invalid="ignore", divide="ignore"):
            group_change = (w @ weighted) / group_mass
        usable = np.isfinite(group_change[1:]) & (group_mass[1:] > 0)
        control = (
            np.average(group_change[1:][usable], weights=group_mass[1:][usable])
            if usable.any()
            else np.nan
        )
        effect[r] = group_change[0] - control
    return effect


def _pooled(sums, counts, position, weights: CustomerWeights) -> np.ndarray | None:
    present = counts.sum(axis=0)
    if present[0] == 0 or present[1] == 0:
        return None
    effect = np.empty(weights.reps + 1)
    for r in range(weights.reps + 1):
        w = weights.replicate(r)[position]
        cell_counts = w @ counts
        with np.errstate(invalid="ignore", divide="ignore"):
            means = ((w @ sums) / cell_counts).reshape(-1, 2)  # (after, before) per group
        change = means[:, 0] - means[:, 1]
        after = cell_counts.reshape(-1, 2)[1:, 0]
        usable = np.isfinite(change[1:]) & (after > 0)
        control = np.average(change[1:][usable], weights=after[usable]) if usable.any() else np.nan
        effect[r] = change[0] - control
    return effect


def touched_by_month(
    scores: pd.DataFrame, column: str, scope_id: str, start: pd.Timestamp
) -> pd.Series:
    """Customers with a signal in the scope per month from `start`: who the gain reached."""
    touched = scores[(scores[column] == scope_id) & (scores["month_start"] >= start)]
    return touched.groupby("month_start")["customer_id"].nunique().sort_index()


def lasting_value(effect: np.ndarray, per_point: np.ndarray, touched: pd.Series) -> np.ndarray:
    """Sum over months of effect x value per point x customers touched that month / 12."""
    return effect * per_point * float(touched.sum()) / 12.0


def _nan_row() -> dict:
    # In the column order of orchestration/rox/marts.yml (later updates keep the positions).
    row = dict.fromkeys(["effect_points", "effect_ci_low", "effect_ci_high", "value_per_point_eur",
                         "value_per_point_ci_low", "value_per_point_ci_high"], np.nan)  # fmt: skip
    row["value_per_point_method"] = None
    for method in ("cross_section", "within"):
        for suffix in ("eur", "ci_low", "ci_high"):
            row[f"value_per_point_{method}_{suffix}"] = np.nan
    row["value_per_point_within_customers"] = 0
    for name in ("attributable_value_eur", "attributable_value_ci_low",
                 "attributable_value_ci_high", "rox", "rox_ci_low", "rox_ci_high"):  # fmt: skip
        row[name] = np.nan
    return {**row, "customer_months_touched": 0.0}


def per_point_steps(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    forward: pd.DataFrame | None,
    column: str,
    scope_id: str,
    weights: CustomerWeights,
    settings: RoxSettings,
) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """The value per point the value uses (the configured method), both estimates as steps
    with intervals, and the row's method columns."""
    chosen, steps, n_within = value_per_point_steps(
        scores, customers, forward, column, scope_id, weights, settings.value_per_point_method
    )
    return chosen, steps, {"value_per_point_method": settings.value_per_point_method,
                           "value_per_point_within_customers": n_within}  # fmt: skip


def measure_initiative(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    initiative: Initiative,
    as_of_month: pd.Timestamp,
    settings: RoxSettings,
    weights: CustomerWeights,
    other_treated: frozenset[str] = frozenset(),
    forward: pd.DataFrame | None = None,
) -> tuple[dict, np.ndarray | None]:
    """A hard initiative's row (effect, value per point, lasting value, investment, ROX with
    intervals) and its value replicates (None when it is not measurable yet)."""
    column = SCOPE_COLUMN[initiative.scope_type]
    start = pd.Timestamp(initiative.start_month)
    live = months_live(initiative, as_of_month)
    investment = initiative.cost_per_month_eur * live
    row = {"months_live": live, "investment_to_date_eur": investment, **_nan_row()}
    baseline_start = start - pd.DateOffset(months=settings.baseline_months)
    window = scores[
        (scores["month_start"] >= baseline_start)
        & (scores["month_start"] <= as_of_month)
        & scores[column].notna()
        & scores["customer_id"].notna()
        & (scores[SCORE_COUNT] > 0)
    ]
    window = window[~window[column].isin(other_treated - {initiative.scope_id})]
    if live == 0 or window.empty:
        return row, None
    effect = did_replicates(window, column, initiative.scope_id, start, weights)
    if effect is None:
        return row, None
    per_point, per_point_steps_, method = per_point_steps(
        scores, customers, forward, column, initiative.scope_id, weights, settings
    )
    touched = touched_by_month(window, column, initiative.scope_id, start)
    value = lasting_value(effect, per_point, touched)
    row.update(
        _with_intervals(
            {"effect_points": effect, "value_per_point_eur": per_point, **per_point_steps_},
            value,
            investment,
            settings,
        )  # fmt: skip
    )
    row.update(method)
    row["customer_months_touched"] = float(touched.sum())
    return row, value


def _with_intervals(
    steps: dict[str, np.ndarray], value: np.ndarray, investment: float, settings: RoxSettings
) -> dict:
    """Point values (replicate 0) and percentile intervals of the steps, the value and ROX."""
    out = {}
    for name, series in steps.items():
        base = name.removesuffix("_points").removesuffix("_eur")
        low, high = _interval(series[1:], settings.confidence)
        out[name] = float(series[0])
        out[f"{base}_ci_low"], out[f"{base}_ci_high"] = low, high
    out["attributable_value_eur"] = float(value[0])
    low, high = _interval(value[1:], settings.confidence)
    out["attributable_value_ci_low"], out["attributable_value_ci_high"] = low, high
    if investment > 0:
        rox = (value - investment) / investment
        out["rox"] = float(rox[0])
        out["rox_ci_low"], out["rox_ci_high"] = _interval(rox[1:], settings.confidence)
    return out


def portfolio(
    rows: pd.DataFrame, replicates: dict[str, np.ndarray], settings: RoxSettings
) -> pd.DataFrame:
    """The portfolio's ROX by investment kind (`all`, `soft`, `hard`) from the initiatives'
    rows and value replicates (joint: the same customer weights in a replicate).

    Counted: the initiatives with a measured value and investment to date; the others (not
    started, or no data on one side) are listed in `initiatives_not_measured`.
    """
    out = []
    for kind in ("all", "soft", "hard"):
        mine = rows if kind == "all" else rows[rows["investment_kind"] == kind]
        measured = mine[
            mine["attributable_value_eur"].notna() & (mine["investment_to_date_eur"] > 0)
        ]
        value = float(measured["attributable_value_eur"].sum())
        investment = float(measured["investment_to_date_eur"].sum())
        entry = {
            "investment_kind": kind,
            "initiatives_measured": len(measured),
            "initiatives_not_measured": len(mine) - len(measured),
            "attributable_value_eur": value if len(measured) else np.nan,
            "investment_to_date_eur": investment,
            "attributable_value_ci_low": np.nan,
            "attributable_value_ci_high": np.nan,
            "rox": np.nan,
            "rox_ci_low": np.nan,
            "rox_ci_high": np.nan,
        }
        if len(measured) and investment > 0:
            draws = np.sum([replicates[i][1:] for i in measured["initiative_id"]], axis=0)
            entry["rox"] = (value - investment) / investment
            low, high = _interval(draws, settings.confidence)
            entry["attributable_value_ci_low"], entry["attributable_value_ci_high"] = low, high
            rox_low, rox_high = _interval((draws - investment) / investment, settings.confidence)
            entry["rox_ci_low"], entry["rox_ci_high"] = rox_low, rox_high
        out.append(entry)
    return pd.DataFrame(out)


def initiative_return(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    initiative: Initiative,
    as_of_month: pd.Timestamp,
    settings: RoxSettings,
    other_treated: frozenset[str] = frozenset(),
    forward: pd.DataFrame | None = None,
) -> dict:
    """One hard initiative's row, with its own weights over these customers (for a single
    initiative; the marts share one `CustomerWeights` across initiatives)."""
    weights = customer_weights(scores, customers, settings)
    row, _ = measure_initiative(
        scores, customers, initiative, as_of_month, settings, weights, other_treated, forward
    )
    return row
