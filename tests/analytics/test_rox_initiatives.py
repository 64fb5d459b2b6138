"""ROX per initiative and of the portfolio: lasting value accrues per month, one joint bootstrap
over customers, and the portfolio's `all` row is the sum of its initiatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.rox import Initiative, RoxSettings
from analytics.rox_initiatives import CustomerWeights, initiative_return
from analytics.rox_marts import rox_by_initiative

SETTINGS = RoxSettings(cx_weights={"nps": 1.0}, baseline_months=2, bootstrap_samples=100)
MONTHS = pd.date_range("2026-01-01", periods=5, freq="MS")


def _panel(seed: int = 1, n: int = 300, gain: float = 10.0) -> pd.DataFrame:
    """Customers scored monthly at touchpoints t (gains `gain` from month 3), c and d (flat)."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(1, n + 1):
        base = rng.normal(60, 10)
        for i, month in enumerate(MONTHS):
            for touchpoint in ("t", "c", "d"):
                score = base + rng.normal(0, 5) + (gain if touchpoint == "t" and i >= 2 else 0)
                rows.append((customer, month, touchpoint, 1, score))
    frame = pd.DataFrame(
        rows, columns=["customer_id", "month_start", "touchpoint_id", "scores", "score_sum_0_100"]
    )
    frame["job_id"], frame["segment"], frame["value_stream_id"] = "j", "s", "v"
    return frame


def _customers(n: int = 300) -> pd.DataFrame:
    ids = np.arange(1, n + 1)
    return pd.DataFrame(
        {"customer_id": ids, "historic_margin_eur": 100.0 + ids, "tenure_weeks": 104.0}
    )


def _initiative(touchpoint: str, kind: str = "hard", cost: float = 100.0) -> Initiative:
    return Initiative(
        f"I-{touchpoint}", touchpoint, "touchpoint", touchpoint, kind, cost, MONTHS[2]
    )


def test_a_level_gain_keeps_paying_each_month_it_lasts() -> None:
    scores = _panel()
    customers = _customers().assign(annual_margin_eur=lambda f: f["historic_margin_eur"] / 2)
    values = []
    for as_of in MONTHS[2:]:
        row = initiative_return(scores, customers, _initiative("t"), as_of, SETTINGS)
        # effect x value per point x customers touched in each month since the start / 12
        months = (as_of.month - MONTHS[2].month) + 1
        expected = row["effect_points"] * row["value_per_point_eur"] * 300 * months / 12
        assert row["customer_months_touched"] == 300 * months
        assert row["attributable_value_eur"] == pytest.approx(expected)
        assert row["effect_ci_low"] < 10.0 < row["effect_ci_high"]
        values.append(row["attributable_value_eur"])
    # The gain is a level: three months of it are worth about three times one month.
    assert values[2] / values[0] == pytest.approx(3.0, rel=0.15)


def test_customer_weights_do_not_depend_on_the_rows_a_caller_holds() -> None:
    weights = CustomerWeights(np.array([9, 3, 5, 7]), seed=4, reps=10)
    whole = weights.replicate(3)[weights.positions(np.array([3, 5, 7, 9]))]
    part = weights.replicate(3)[weights.positions(np.array([7, 3]))]
    assert part.tolist() == [whole[2], whole[0]]
    assert weights.replicate(0).tolist() == [1.0] * 4
    with pytest.raises(ValueError, match="outside"):
        weights.positions(np.array([4]))


def test_the_portfolio_is_the_sum_of_its_initiatives_with_a_joint_interval() -> None:
    scores = _panel(gain=10.0)
    initiatives = [_initiative("t"), _initiative("c", cost=50.0)]
    by_initiative, portfolio, _ = rox_by_initiative(scores, _customers(), initiatives, SETTINGS)
    portfolio = portfolio.set_index("investment_kind")
    hard = by_initiative[by_initiative["investment_kind"] == "hard"]
    measured = by_initiative[by_initiative["attributable_value_eur"].notna()]
    value, invested = measured["attributable_value_eur"].sum(), measured["investment_to_date_eur"]
    everything = portfolio.loc["all"]
    assert everything["attributable_value_eur"] == pytest.approx(value)
    assert everything["investment_to_date_eur"] == pytest.approx(invested.sum())
    assert everything["rox"] == pytest.approx((value - invested.sum()) / invested.sum())
    assert everything["rox_ci_low"] < everything["rox"] < everything["rox_ci_high"]
    assert portfolio.loc["hard", "investment_to_date_eur"] == pytest.approx(
        hard["investment_to_date_eur"].sum()
    )
    # The joint interval of the sum is not the sum of the intervals (the initiatives share
    # customers), but it holds the sum of the point values.
    low, high = portfolio.loc["hard", ["attributable_value_ci_low", "attributable_value_ci_high"]]
    assert low < hard["attributable_value_eur"].sum() < high
    assert portfolio.loc["soft", "investment_to_date_eur"] == 0
    assert np.isnan(portfolio.loc["soft", "rox"])
