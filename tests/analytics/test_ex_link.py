"""EX inside the return: a planted EX lift and its CX echo a month later are recovered through
the EX -> CX link; a soft placebo's value interval holds 0; the link ignores sampling noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ex_link import link_replicates
from analytics.rox import Initiative, RoxSettings
from analytics.rox_marts import rox_by_initiative

MONTHS = pd.date_range("2025-01-01", periods=20, freq="MS")
START = 10  # the soft initiative starts in month 10
EX_LIFT, LINK = 30.0, 0.4
SETTINGS = RoxSettings(
    cx_weights={"nps": 1.0}, baseline_months=10, bootstrap_samples=150, ex_cx_lag_months=1
)
OWNER = {"s": "care", "p": "merch", "w": "web", "d": "ops"}


def _world(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    pulse = []
    for team in ("care", "merch", "web", "ops"):
        for employee in range(40):
            level = rng.normal(50, 10)
            for m, month in enumerate(MONTHS):
                lift = EX_LIFT if team == "care" and m >= START else 0.0
                score = level + lift + rng.normal(0, 15)  # not clipped: the lift is exact
                pulse.append((team, month, f"{team}-{employee}", 1, score))
    pulse = pd.DataFrame(
        pulse, columns=["team", "month_start", "employee_key", "answers", "ex_score_sum_0_100"]
    )
    rows, bases = [], []
    for customer in range(1, 401):
        base = rng.normal(60, 8)
        bases.append(base)
        for m, month in enumerate(MONTHS):
            for touchpoint in ("s", "p", "w", "d"):
                gain = EX_LIFT * LINK if touchpoint == "s" and m >= START + 1 else 0.0
                rows.append((customer, month, touchpoint, 1, base + gain + rng.normal(0, 8)))
    scores = pd.DataFrame(
        rows, columns=["customer_id", "month_start", "touchpoint_id", "scores", "score_sum_0_100"]
    )
    scores["job_id"], scores["segment"], scores["value_stream_id"] = "j", "s", "v"
    ids = np.arange(1, 401)
    customers = pd.DataFrame(
        # Customers with better experience earn more: EUR 10 a year per point.
        {"customer_id": ids, "historic_margin_eur": 20.0 * np.array(bases), "tenure_weeks": 104.0}
    )
    return pulse, scores, customers


def _soft(touchpoint: str) -> Initiative:
    return Initiative(f"S-{touchpoint}", touchpoint, "touchpoint", touchpoint, "soft", 10.0,
                      MONTHS[START])  # fmt: skip


def test_a_soft_initiative_is_recovered_through_ex_and_its_placebo_holds_zero() -> None:
    pulse, scores, customers = _world(0)
    initiatives = [_soft("s"), _soft("p")]
    rows, portfolio, link = rox_by_initiative(
        scores, customers, initiatives, SETTINGS, pulse, OWNER
    )
    rows = rows.set_index("initiative_id")
    effective, placebo = rows.loc["S-s"], rows.loc["S-p"]
    assert effective["channel"] == "EX -> CX -> value" and effective["team"] == "care"
    assert effective["ex_effect_ci_low"] < EX_LIFT < effective["ex_effect_ci_high"]
    assert effective["ex_cx_effect_ci_low"] < LINK < effective["ex_cx_effect_ci_high"]
    assert effective["effect_ci_low"] < EX_LIFT * LINK < effective["effect_ci_high"]
    assert effective["attributable_value_ci_low"] > 0
    # The placebo moved nobody's EX: its EX effect and its value are indistinguishable from 0.
    assert placebo["ex_effect_ci_low"] < 0 < placebo["ex_effect_ci_high"]
    assert placebo["attributable_value_ci_low"] < 0 < placebo["attributable_value_ci_high"]
    # Value accrues from the month the CX echo starts (start + lag) for the customers touched.
    assert effective["customer_months_touched"] == 400 * (len(MONTHS) - START - 1)
    # The link mart: every owned touchpoint at every lag; the planted lag shows the link.
    care = link[(link["team"] == "care") & (link["touchpoint"] == "s")].set_index("lag_months")
    assert list(care.index) == [0, 1, 2] and care.loc[1, "n"] == len(MONTHS) - 1
    assert care.loc[1, "ci_low"] < LINK < care.loc[1, "ci_high"]
    assert set(portfolio["investment_kind"]) == {"all", "soft", "hard"}
    assert portfolio.set_index("investment_kind").loc["soft", "investment_to_date_eur"] == 200


def test_the_link_is_not_flattened_by_the_noise_of_monthly_ex_means() -> None:
    rng = np.random.default_rng(3)
    months = 600  # long, so one draw shows the bias rather than its noise
    true_ex = np.where(np.arange(months) % 24 >= 12, 70.0, 40.0)
    noise_var = np.full(months, 100.0)  # reliability 225 / (225 + 100)
    ex = (true_ex + rng.normal(0, 10, months))[None, :]
    cx = (50 + 0.5 * true_ex + rng.normal(0, 1, months))[None, :]
    corrected, n = link_replicates(ex, noise_var, cx, lag=0)
    naive = np.cov(ex[0], cx[0])[0, 1] / ex[0].var(ddof=1)
    assert n == months
    assert naive == pytest.approx(0.5 * 225 / 325, abs=0.03)
    assert corrected[0] == pytest.approx(0.5, abs=0.03)
