"""Return on experience (ROX): what experience investments returned, with bootstrap intervals.

Method (docs/rox.md), formula version `FORMULA_VERSION`:

- CX index (0-100) = weighted mean of the available components on a 0-100 scale: NPS
  ((nps + 100) / 2), CSAT (% satisfied), CES ((ces - 1) / 6 x 100), review rating
  ((stars - 1) / 4 x 100), sentiment ((s + 1) / 2 x 100). EX index = (eNPS + 100) / 2.
- Experience-attributable value per month and scope (XM Institute method): customers are
  grouped by experience band (their mean 0-100 score that month: pain, neutral, love); each
  band's value per customer-year is the mean annualised margin of the customers whose overall
  experience falls in it; the month's movement between bands is valued at those gaps:
  value = active customers x sum over bands of (share this month - share last month) x value
  of the band / 12, plus cost to serve avoided (drop in support cost per active customer x
  active customers).
- Per initiative: the effect is a difference in differences of 0-100 experience scores in the
  scope it changed against the untouched scopes, before (baseline months) and after its start;
  its value = effect x value per point (the slope of annualised margin on the customer's score
  in that scope) x customer-months touched since the start / 12.
- ROX = (attributable value - investment) / investment; undefined (null) without investment.
- Intervals: Poisson bootstrap over customers (each customer's rows get one weight per
  replicate), percentile interval.

Inputs are compact (dbt: int_customer_touchpoint_scores): one row per customer x month x
touchpoint with the customer's scopes, `scores` (how many scored signals) and
`score_sum_0_100` (their sum), never one row per event. Every mean here is a sum of sums over a
sum of counts, so the estimates, and the bootstrap, which weights customers, are those of the
signals themselves. Customers are `customer_id` integers (int_customer_keys).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FORMULA_VERSION = "rox-1"
BANDS = ("pain", "neutral", "love")


@dataclass(frozen=True)
class RoxSettings:
    """Method settings (config/rox.yml); defaults in `analytics.rox_config`."""

    cx_weights: dict[str, float]
    pain_below: float = 50.0
    love_from: float = 75.0
    baseline_months: int = 12
    bootstrap_samples: int = 200
    confidence: float = 0.95
    seed: int = 42
    min_tenure_years: float = 0.25


def to_0_100(metric: str, value: float | pd.Series) -> float | pd.Series:
    """A catalogue metric's value on the common 0-100 scale of the CX index."""
    if metric in ("nps", "enps"):
        return (value + 100.0) / 2.0
    if metric == "csat":
        return value
    if metric == "ces":
        return (value - 1.0) / 6.0 * 100.0
    if metric == "review_rating":
        return (value - 1.0) / 4.0 * 100.0
    if metric == "sentiment":
        return (value + 1.0) / 2.0 * 100.0
    raise ValueError(f"no 0-100 mapping for metric {metric!r}")


def cx_index(components: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted mean of the available 0-100 components per row (columns named by metric).

    A missing component drops out and the others' weights are renormalised; a row with none is
    null.
    """
    scaled = pd.DataFrame(
        {m: to_0_100(m, components[m]) for m in weights if m in components.columns}
    )
    w = pd.Series({m: weights[m] for m in scaled.columns}, dtype=float)
    present = scaled.notna()
    total = present.mul(w, axis=1).sum(axis=1)
    weighted = scaled.fillna(0.0).mul(w, axis=1).sum(axis=1)
    return (weighted / total).where(total > 0)


def band(score: np.ndarray | pd.Series, settings: RoxSettings) -> np.ndarray:
    score = np.asarray(score, dtype=float)
    return np.where(
        score < settings.pain_below,
        "pain",
        np.where(score >= settings.love_from, "love", "neutral"),
    )


def annual_margin(customers: pd.DataFrame, settings: RoxSettings) -> pd.Series:
    """Margin per customer-year: historic margin / tenure (at least `min_tenure_years`)."""
    years = np.maximum(customers["tenure_weeks"].to_numpy(float) / 52.0, settings.min_tenure_years)
    return pd.Series(customers["historic_margin_eur"].to_numpy(float) / years, customers.index)


def _interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return (np.nan, np.nan)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)


SCORE_COUNT = "scores"
SCORE_SUM = "score_sum_0_100"


def mean_scores(scores: pd.DataFrame, by: list[str]) -> pd.Series:
    """The mean 0-100 score of the signals behind compact `scores` rows, per `by`."""
    totals = scores.groupby(by, sort=True, observed=True)[[SCORE_SUM, SCORE_COUNT]].sum()
    totals = totals[totals[SCORE_COUNT] > 0]
    return (totals[SCORE_SUM] / totals[SCORE_COUNT]).rename("mean_score")


def band_values(customer_scores: pd.DataFrame, settings: RoxSettings) -> dict[str, float]:
    """Mean annual margin of the customers in each band of their overall experience score.

    `customer_scores`: customer_id, mean_score (0-100), annual_margin_eur.
    """
    bands = band(customer_scores["mean_score"], settings)
    means = customer_scores.groupby(bands)["annual_margin_eur"].mean()
    return {b: float(means.get(b, np.nan)) for b in BANDS}


def movement_value(
    monthly: pd.DataFrame,
    values: dict[str, float],
    active: pd.Series,
    settings: RoxSettings,
) -> pd.DataFrame:
    """Value of customers moving between experience bands, month over month, with intervals.

    `monthly`: customer_id, month_start, mean_score (the customer's mean 0-100 score that
    month in the scope); `active`: active customers per month_start in the scope. Returns per
    month: band shares, movement value (EUR) and its bootstrap interval. Replicate r draws one
    Poisson(1) weight per customer in the order customers first appear in `monthly`.
    """
    columns = ["month_start", *[f"share_{b}" for b in BANDS], "respondents",
               "movement_value_eur", "movement_value_ci_low", "movement_value_ci_high"]  # fmt: skip
    if monthly.empty:
        return pd.DataFrame(columns=columns)
    months = np.sort(monthly["month_start"].unique())
    month_idx = np.searchsorted(months, monthly["month_start"].to_numpy())
    codes, uniques = pd.factorize(monthly["customer_id"])
    reps = settings.bootstrap_samples
    band_idx = np.searchsorted(np.sort(BANDS), band(monthly["mean_score"], settings))
    cell = month_idx * len(BANDS) + band_idx
    rng = np.random.default_rng(settings.seed)
    counts = np.zeros((reps + 1, len(months) * len(BANDS)))
    for r in range(reps + 1):
        # Replicate 0 is the data; one Poisson(1) weight per customer otherwise (rows share it).
        w = None if r == 0 else rng.poisson(1.0, len(uniques)).astype(float)[codes]
        counts[r] = np.bincount(cell, w, minlength=counts.shape[1])
    sorted_bands = np.array(BANDS)[np.argsort(BANDS)]
    counts = counts.reshape(reps + 1, len(months), len(BANDS))
    # Reorder the band axis to BANDS order.
    counts = counts[:, :, [list(sorted_bands).index(b) for b in BANDS]]
    totals = counts.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / totals[:, :, None]
    value_vector = np.array([values[b] for b in BANDS])
    value_vector = np.where(np.isfinite(value_vector), value_vector, 0.0)
    active_by_month = active.reindex(months).fillna(0.0).to_numpy(float)
    delta = np.diff(shares, axis=1, prepend=np.nan)
    per_month = (delta * value_vector).sum(axis=2) * active_by_month / 12.0
    rows = []
    for i, month in enumerate(months):
        low, high = _interval(per_month[1:, i], settings.confidence)
        rows.append(
            {
                "month_start": month,
                **{f"share_{b}": shares[0, i, j] for j, b in enumerate(BANDS)},
                "respondents": int(totals[0, i]),
                "movement_value_eur": per_month[0, i],
                "movement_value_ci_low": low,
                "movement_value_ci_high": high,
            }
        )
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Initiative:
    initiative_id: str
    name: str
    scope_type: str
    scope_id: str
    investment_kind: str
    cost_per_month_eur: float
    start_month: pd.Timestamp


def initiative_return(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    initiative: Initiative,
    as_of_month: pd.Timestamp,
    settings: RoxSettings,
    other_treated: frozenset[str] = frozenset(),
) -> dict:
    """Difference-in-differences effect, its value, investment to date and ROX, with intervals.

    `scores`: compact rows (customer_id, month_start, the scope column of the initiative:
    touchpoint_id, job_id, segment or value_stream_id; scores, score_sum_0_100); `customers`:
    customer_id, annual_margin_eur. The controls are the untouched scopes of the same type: not
    this one and not `other_treated` (the scopes other initiatives changed). The control change
    is the mean of each control scope's own before/after change, weighted by its signals after,
    so a shift in the mix of scopes is not read as an effect. Replicates draw one weight per
    customer in the order customers first appear in `scores` (sort it by customer).
    """
    column = SCOPE_COLUMN[initiative.scope_type]
    start = pd.Timestamp(initiative.start_month)
    months_live = (
        0
        if as_of_month < start
        else (as_of_month.year - start.year) * 12 + as_of_month.month - start.month + 1
    )
    investment = initiative.cost_per_month_eur * months_live
    result = {
        "months_live": months_live,
        "investment_to_date_eur": investment,
    }
    baseline_start = start - pd.DateOffset(months=settings.baseline_months)
    window = scores[
        (scores["month_start"] >= baseline_start)
        & (scores["month_start"] <= as_of_month)
        & scores[column].notna()
        & scores["customer_id"].notna()
        & (scores[SCORE_COUNT] > 0)
    ]
    window = window[~window[column].isin(other_treated - {initiative.scope_id})]
    if months_live == 0 or window.empty:
        return {**result, **_empty_return(investment)}
    # Group 0 is the treated scope, groups 1.. the control scopes; cell = group x (after, before).
    groups = np.where(window[column] == initiative.scope_id, 0, 1 + pd.factorize(window[column])[0])
    post = (window["month_start"] >= start).to_numpy()
    n_cells = 2 * (groups.max() + 1)
    cell = 2 * groups + np.where(post, 0, 1)
    present = np.bincount(cell, window[SCORE_COUNT].to_numpy(float), minlength=n_cells)
    if months_live == 0 or present[0] == 0 or present[1] == 0 or groups.max() == 0:
        return {**result, **_empty_return(investment)}

    # Sums and counts per customer and cell, so a replicate weighs customers, not rows.
    codes, uniques = pd.factorize(window["customer_id"])
    key = codes * n_cells + cell
    size = len(uniques) * n_cells
    sums = np.bincount(key, window[SCORE_SUM].to_numpy(float), minlength=size)
    sums = sums.reshape(-1, n_cells)
    counts = np.bincount(key, window[SCORE_COUNT].to_numpy(float), minlength=size)
    counts = counts.reshape(-1, n_cells)
    reps = settings.bootstrap_samples
    rng = np.random.default_rng(settings.seed)
    effect = np.empty(reps + 1)
    for r in range(reps + 1):
        w = np.ones(len(uniques)) if r == 0 else rng.poisson(1.0, len(uniques)).astype(float)
        cell_counts = w @ counts
        with np.errstate(invalid="ignore", divide="ignore"):
            means = ((w @ sums) / cell_counts).reshape(-1, 2)  # (after, before) per group
        change = means[:, 0] - means[:, 1]
        after = cell_counts.reshape(-1, 2)[1:, 0]
        usable = np.isfinite(change[1:]) & (after > 0)
        control = np.average(change[1:][usable], weights=after[usable]) if usable.any() else np.nan
        effect[r] = change[0] - control
    treated = groups == 0

    # Value per point: slope of annual margin on the customer's mean score in the scope.
    in_scope = scores[(scores[column] == initiative.scope_id) & scores["customer_id"].notna()]
    scope_scores = mean_scores(in_scope, ["customer_id"])
    linked = customers.set_index("customer_id").join(scope_scores.rename("x"), how="inner")
    x, y = linked["x"].to_numpy(float), linked["annual_margin_eur"].to_numpy(float)
    # Resampled independently of the effect's replicates (the two are estimated on different
    # rows: experience events and customer margins).
    slope = _bootstrap_slopes(x, y, reps, settings.seed + 1)
    touched = window[treated & post].drop_duplicates(["customer_id", "month_start"])
    customer_months = float(len(touched))
    value = effect * slope * customer_months / 12.0
    with np.errstate(invalid="ignore", divide="ignore"):
        rox = (value - investment) / investment if investment > 0 else np.full_like(value, np.nan)
    effect_ci = _interval(effect[1:], settings.confidence)
    value_ci = _interval(value[1:], settings.confidence)
    rox_ci = _interval(rox[1:], settings.confidence) if investment > 0 else (np.nan, np.nan)
    return {
        **result,
        "effect_points": float(effect[0]),
        "effect_ci_low": effect_ci[0],
        "effect_ci_high": effect_ci[1],
        "value_per_point_eur": float(slope[0]),
        "customer_months_touched": customer_months,
        "attributable_value_eur": float(value[0]),
        "attributable_value_ci_low": value_ci[0],
        "attributable_value_ci_high": value_ci[1],
        "rox": float(rox[0]) if investment > 0 else np.nan,
        "rox_ci_low": rox_ci[0],
        "rox_ci_high": rox_ci[1],
    }


def _empty_return(investment: float) -> dict:
    """Not measurable yet (not started, or no data on one side): value unknown, not zero."""
    keys = ["effect_points", "effect_ci_low", "effect_ci_high", "value_per_point_eur",
            "attributable_value_eur", "attributable_value_ci_low", "attributable_value_ci_high",
            "rox", "rox_ci_low", "rox_ci_high"]  # fmt: skip
    return {**dict.fromkeys(keys, np.nan), "customer_months_touched": 0.0}


def _bootstrap_slopes(x: np.ndarray, y: np.ndarray, reps: int, seed: int) -> np.ndarray:
    """OLS slope of y on x, then `reps` Poisson-bootstrap replicates (one row per customer).

    One replicate at a time, so memory stays one weight vector at a million customers.
    """
    rng = np.random.default_rng(seed)
    slopes = np.empty(reps + 1)
    for r in range(reps + 1):
        w = np.ones(len(x)) if r == 0 else rng.poisson(1.0, len(x)).astype(float)
        total = w.sum()
        if total == 0:
            slopes[r] = np.nan
            continue
        mx, my = (w @ x) / total, (w @ y) / total
        var = w @ (x - mx) ** 2
        slopes[r] = (w @ ((x - mx) * (y - my))) / var if var > 0 else np.nan
    return slopes


SCOPE_COLUMN = {
    "touchpoint": "touchpoint_id",
    "job": "job_id",
    "segment": "segment",
    "value_stream": "value_stream_id",
}


def rox_ratio(value: float, investment: float) -> float:
    """(value - investment) / investment; null (not a division error) without investment."""
    if not investment or investment <= 0 or not np.isfinite(value):
        return np.nan
    return (value - investment) / investment
