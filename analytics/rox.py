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
- Per initiative and of the portfolio: `analytics.rox_initiatives` (lasting value, the soft
  channel through EX, one joint bootstrap over customers).
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
    ex_cx_lag_months: int = 1
    bootstrap_samples: int = 200
    confidence: float = 0.95
    seed: int = 42
    min_tenure_years: float = 0.25
    # analytics.value_per_point.METHODS: which estimate the value uses (both are reported).
    value_per_point_method: str = "cross_section"


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


SCOPE_COLUMN = {
    "touchpoint": "touchpoint_id",
    "job": "job_id",
    "segment": "segment",
    "value_stream": "value_stream_id",
    "territory": "territory",
    "business_unit": "business_unit",
    # A customer's channel is the one they order through most, as in marts.metric_values.
    "channel": "primary_channel",
}


def rox_ratio(value: float, investment: float) -> float:
    """(value - investment) / investment; null (not a division error) without investment."""
    if not investment or investment <= 0 or not np.isfinite(value):
        return np.nan
    return (value - investment) / investment
