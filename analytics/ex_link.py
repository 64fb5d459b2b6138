"""EX inside the return: the owning team's EX against its touchpoints' CX, and the EX effect of
soft initiatives, with the same joint bootstrap as the rest of ROX (docs/rox.md).

- `pulse`: compact employee rows (int_team_pulse_monthly): employee_id (integer), team,
  month_start, scores (answers), score_sum_0_100 (sum of the answers' 0-100 EX scores).
- EX -> CX link (`marts.ex_cx_link`): over the team x month panel, the slope of a touchpoint's
  monthly mean CX (0-100) on its owning team's monthly mean EX (0-100) `lag` months earlier.
  A month's EX is a mean of a few answers, so its sampling noise would flatten the slope
  (errors in variables): the slope is divided by the reliability of the monthly EX means,
  1 - mean sampling variance / variance across months, floored at RELIABILITY_FLOOR so a team
  whose EX did not move is not divided by noise.
- Soft initiatives: EX effect = difference in differences of the team's EX against the other
  teams (those of other soft initiatives left out), then CX effect = EX effect x link.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.rox import SCORE_COUNT, SCORE_SUM
from analytics.rox_initiatives import CustomerWeights

LAGS = (0, 1, 2)
RELIABILITY_FLOOR = 0.5
MIN_MONTHS = 6


def _monthly(frame, group_column, group, months, weights: CustomerWeights, id_column):
    """Per replicate 0..reps: the weighted monthly mean score of `group` over `months`."""
    rows = frame[frame[group_column] == group]
    month_idx = np.searchsorted(months, rows["month_start"].to_numpy())
    keep = (month_idx < len(months)) & (
        months[np.minimum(month_idx, len(months) - 1)] == (rows["month_start"].to_numpy())
    )
    rows, month_idx = rows[keep], month_idx[keep]
    codes, uniques = pd.factorize(rows[id_column])
    position = weights.positions(uniques.to_numpy("int64"))
    size = len(uniques) * len(months)
    key = codes * len(months) + month_idx
    sums = np.bincount(key, rows[SCORE_SUM].to_numpy(float), minlength=size)
    counts = np.bincount(key, rows[SCORE_COUNT].to_numpy(float), minlength=size)
    sums, counts = sums.reshape(-1, len(months)), counts.reshape(-1, len(months))
    out = np.full((weights.reps + 1, len(months)), np.nan)
    for r in range(weights.reps + 1):
        w = weights.replicate(r)[position]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[r] = (w @ sums) / (w @ counts)
    return out, counts.sum(axis=0)


def _sampling_variance(pulse: pd.DataFrame, team: str, months: np.ndarray) -> np.ndarray:
    """Sampling variance of each month's mean EX: the between-employee variance of the team's
    employee means that month / employees (answers are 0, 50 or 100)."""
    rows = pulse[pulse["team"] == team]
    means = rows[SCORE_SUM] / rows[SCORE_COUNT]
    grouped = means.groupby(rows["month_start"].to_numpy())
    variance = (grouped.var(ddof=1) / grouped.count()).reindex(months)
    return variance.to_numpy(float)


def link_replicates(
    ex: np.ndarray, ex_noise: np.ndarray, cx: np.ndarray, lag: int
) -> tuple[np.ndarray, int]:
    """Reliability-corrected slope of CX[m] on EX[m - lag] per replicate; months paired."""
    x, y = ex[:, : ex.shape[1] - lag], cx[:, lag:]
    noise = ex_noise[: ex.shape[1] - lag]
    paired = np.isfinite(x[0]) & np.isfinite(y[0]) & np.isfinite(noise)
    n = int(paired.sum())
    slopes = np.full(ex.shape[0], np.nan)
    if n < MIN_MONTHS:
        return slopes, n
    x, y, noise = x[:, paired], y[:, paired], noise[paired]
    for r in range(ex.shape[0]):
        xr, yr = x[r], y[r]
        ok = np.isfinite(xr) & np.isfinite(yr)
        if ok.sum() < MIN_MONTHS:
            continue
        xr, yr = xr[ok], yr[ok]
        var = xr.var(ddof=1)
        if var <= 0:
            continue
        reliability = max(1.0 - float(np.mean(noise[ok])) / var, RELIABILITY_FLOOR)
        slopes[r] = np.cov(xr, yr, ddof=1)[0, 1] / var / reliability
    return slopes, n


class ExPanel:
    """The team x month panel of EX (employees resampled) beside touchpoint CX (customers
    resampled), on one month axis; replicates are computed once per team and touchpoint."""

    def __init__(
        self,
        pulse: pd.DataFrame,
        scores: pd.DataFrame,
        employees: CustomerWeights,
        customers: CustomerWeights,
    ) -> None:
        self.pulse, self.scores = pulse, scores
        self.employees, self.customers = employees, customers
        months = np.union1d(pulse["month_start"].unique(), scores["month_start"].unique())
        self.months = np.sort(pd.to_datetime(months).to_numpy())
        self._ex: dict[str, tuple] = {}
        self._cx: dict[str, np.ndarray] = {}

    def ex(self, team: str) -> tuple[np.ndarray, np.ndarray]:
        if team not in self._ex:
            means, _ = _monthly(
                self.pulse, "team", team, self.months, self.employees, "employee_id"
            )
            self._ex[team] = (means, _sampling_variance(self.pulse, team, self.months))
        return self._ex[team]

    def cx(self, touchpoint: str) -> np.ndarray:
        if touchpoint not in self._cx:
            scored = self.scores[self.scores["customer_id"].notna()]
            means, _ = _monthly(
                scored, "touchpoint_id", touchpoint, self.months, self.customers, "customer_id"
            )
            self._cx[touchpoint] = means
        return self._cx[touchpoint]

    def link(self, team: str, touchpoint: str, lag: int) -> tuple[np.ndarray, int]:
        ex, noise = self.ex(team)
        return link_replicates(ex, noise, self.cx(touchpoint), lag)


def ex_cx_link(panel: ExPanel, owning_team: dict[str, str], confidence: float) -> pd.DataFrame:
    """marts.ex_cx_link: one row per team x owned touchpoint x lag (LAGS)."""
    from analytics.rox import _interval

    rows = []
    teams = set(panel.pulse["team"].unique())
    for touchpoint, team in sorted(owning_team.items()):
        if team not in teams:
            continue
        for lag in LAGS:
            slopes, n = panel.link(team, touchpoint, lag)
            low, high = _interval(slopes[1:], confidence)
            rows.append(
                {
                    "team": team,
                    "touchpoint": touchpoint,
                    "lag_months": lag,
                    "effect": float(slopes[0]),
                    "ci_low": low,
                    "ci_high": high,
                    "n": n,
                }
            )
    columns = ["team", "touchpoint", "lag_months", "effect", "ci_low", "ci_high", "n"]
    return pd.DataFrame(rows, columns=columns)


def pulse_frame(pulse: pd.DataFrame) -> pd.DataFrame:
    """int_team_pulse_monthly rows as the panel reads them: integer employee ids (in order of
    the sorted keys), `scores` and `score_sum_0_100`."""
    keys = np.sort(pulse["employee_key"].astype(str).unique())
    return pd.DataFrame(
        {
            "employee_id": np.searchsorted(keys, pulse["employee_key"].astype(str)).astype("int64"),
            "team": pulse["team"].astype(str).to_numpy(),
            "month_start": pd.to_datetime(pulse["month_start"]).to_numpy(),
            SCORE_COUNT: pulse["answers"].to_numpy("int64"),
            SCORE_SUM: pulse["ex_score_sum_0_100"].to_numpy(float),
        }
    )


def measure_soft_initiative(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    panel: ExPanel,
    initiative,
    team: str,
    as_of_month: pd.Timestamp,
    settings,
    other_teams: frozenset[str],
    lag: int,
    forward: pd.DataFrame | None = None,
) -> tuple[dict, np.ndarray | None]:
    """A soft initiative's row: EX effect (difference in differences of its team's EX against
    the other teams), EX -> CX link at `lag`, CX effect = EX effect x link, value per point,
    lasting value from the start + lag, investment and ROX; and its value replicates."""
    from analytics.rox_initiatives import (
        _nan_row,
        _with_intervals,
        did_replicates,
        lasting_value,
        months_live,
        per_point_steps,
        touched_by_month,
    )

    start = pd.Timestamp(initiative.start_month)
    live = months_live(initiative, as_of_month)
    investment = initiative.cost_per_month_eur * live
    row = {"months_live": live, "investment_to_date_eur": investment, **_nan_row()}
    row.update(dict.fromkeys(SOFT_STEP_COLUMNS, np.nan))
    row["ex_cx_lag_months"] = lag
    baseline_start = start - pd.DateOffset(months=settings.baseline_months)
    pulse = panel.pulse
    window = pulse[
        (pulse["month_start"] >= baseline_start)
        & (pulse["month_start"] <= as_of_month)
        & ~pulse["team"].isin(other_teams - {team})
    ].rename(columns={"employee_id": "customer_id"})
    if live == 0 or window.empty:
        return row, None
    ex_effect = did_replicates(window, "team", team, start, panel.employees, within=True)
    link, _ = panel.link(team, initiative.scope_id, lag)
    if ex_effect is None or not np.isfinite(link[0]):
        return row, None
    cx_effect = ex_effect * link
    per_point, per_point_steps_, method = per_point_steps(
        scores, customers, forward, "touchpoint_id", initiative.scope_id, panel.customers,
        settings,
    )  # fmt: skip
    reached = start + pd.DateOffset(months=lag)
    touched = touched_by_month(
        scores[scores["month_start"] <= as_of_month], "touchpoint_id", initiative.scope_id, reached
    )
    value = lasting_value(cx_effect, per_point, touched)
    steps = {
        "ex_effect_points": ex_effect,
        "ex_cx_effect": link,
        "effect_points": cx_effect,
        "value_per_point_eur": per_point,
        **per_point_steps_,
    }
    row.update(_with_intervals(steps, value, investment, settings))
    row.update(method)
    row["customer_months_touched"] = float(touched.sum())
    return row, value


SOFT_STEP_COLUMNS = (
    "ex_effect_points",
    "ex_effect_ci_low",
    "ex_effect_ci_high",
    "ex_cx_effect",
    "ex_cx_effect_ci_low",
    "ex_cx_effect_ci_high",
)
