"""The CLV marts' logic: per-customer scores, value at risk by segment, the back-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.clv_marts import ClvSettings, backtest, clv_by_segment, score_customers
from common.business_settings import load_business_settings
from tests.analytics.test_clv import simulate_bgnbd


def clv_settings(**overrides) -> ClvSettings:
    """The shipped business settings with `overrides`."""
    return ClvSettings.from_business(load_business_settings(), **overrides)


def rfm_frame(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    x, t_x, big_t = simulate_bgnbd(n, r=0.8, alpha=6.0, a=1.0, b=3.0, horizon=60.0, seed=seed)
    rng = np.random.default_rng(seed)
    value = np.where(x > 0, rng.gamma(5.0, 20.0, n), 0.0)
    return pd.DataFrame(
        {
            "customer_key": [f"c{i:05d}" for i in range(n)],
            "frequency": x,
            "recency": t_x,
            "t": big_t,
            "first_order_on": pd.Timestamp("2025-01-01"),
            "last_order_on": pd.Timestamp("2025-06-01"),
            "average_order_value_eur": value + 5,
            "average_repeat_value_eur": value,
            "historic_revenue_eur": value * (x + 1),
            "historic_margin_eur": value * (x + 1) * 0.3,
            "revenue_last_12_months_eur": value * x,
        }
    )


def customers_frame(rfm: pd.DataFrame) -> pd.DataFrame:
    segments = np.array(["consumer", "small_business"])[np.arange(len(rfm)) % 2]
    return pd.DataFrame(
        {"customer_key": rfm["customer_key"], "segment": segments, "primary_job": "job_a"}
    )


def test_scores_are_finite_and_ordered_by_value() -> None:
    rfm = rfm_frame()
    scored, fitted = score_customers(rfm, customers_frame(rfm), clv_settings(horizon_months=24))
    assert len(scored) == len(rfm)
    assert scored["p_alive"].between(0, 1).all()
    assert (scored["clv_horizon_eur"] >= scored["clv_12m_eur"]).all()
    assert (scored["clv_12m_eur"] >= 0).all()
    means = scored.groupby("clv_decile")["clv_horizon_eur"].mean()
    assert list(means.index) == list(range(1, 11)) and means.is_monotonic_increasing
    assert scored["clv_horizon_months"].eq(24).all()
    # Recently active frequent buyers are more likely alive than long-silent ones.
    silent = scored[(rfm["frequency"] > 3) & (rfm["t"] - rfm["recency"] > 40)]
    recent = scored[(rfm["frequency"] > 3) & (rfm["t"] - rfm["recency"] < 2)]
    assert silent["p_alive"].mean() < recent["p_alive"].mean()
    assert set(fitted.bgnbd) >= {"r", "alpha", "a", "b"}


def test_value_at_risk_adds_up_by_segment() -> None:
    rfm = rfm_frame()
    settings = clv_settings(at_risk_p_alive=0.6)
    scored, _ = score_customers(rfm, customers_frame(rfm), settings)
    segments = clv_by_segment(scored)
    assert list(segments["segment"]) == ["consumer", "small_business"]
    at_risk = scored[scored["p_alive"] < 0.6]
    assert segments["customers_at_risk"].sum() == len(at_risk)
    assert segments["revenue_at_risk_eur"].sum() == pytest.approx(
        at_risk["revenue_last_12_months_eur"].sum()
    )
    assert segments["clv_at_risk_eur"].sum() == pytest.approx(at_risk["clv_horizon_eur"].sum())
    assert segments["share_revenue_at_risk"].between(0, 1).all()


def test_backtest_compares_prediction_with_the_holdout() -> None:
    rfm = rfm_frame(6000, seed=9)
    rng = np.random.default_rng(1)
    frame = rfm.assign(
        holdout_length=20.0, holdout_purchases=rng.poisson(0.4 * rfm["frequency"].to_numpy())
    )
    result = backtest(frame)
    assert result["customers"] == 6000
    assert result["actual_purchases"] == frame["holdout_purchases"].sum()
    assert result["predicted_purchases"] > 0
    assert -1 <= result["correlation"] <= 1 and result["rmse"] >= result["mean_absolute_error"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (clv_settings(horizon_months=0), "horizon_months"),
        (clv_settings(margin_rate=1.5), "margin_rate"),
        (clv_settings(at_risk_p_alive=1.0), "at_risk_p_alive"),
    ],
)
def test_settings_are_validated(settings, message) -> None:
    rfm = rfm_frame(200)
    with pytest.raises(ValueError, match=message):
        score_customers(rfm, customers_frame(rfm), settings)


def test_detractors_are_at_risk_whatever_their_p_alive() -> None:
    rfm = rfm_frame()
    settings = clv_settings(at_risk_p_alive=0.01)
    baseline, _ = score_customers(rfm, customers_frame(rfm), settings)
    alive = baseline[~baseline["is_at_risk"]]["customer_key"].head(5)
    nps = pd.DataFrame(
        {
            "customer_key": list(alive) + ["unknown"],
            "nps_group": ["detractor"] * 3 + ["promoter"] * 3,
        }
    )
    scored, _ = score_customers(rfm, customers_frame(rfm), settings, nps)
    flagged = scored.set_index("customer_key").loc[alive]
    assert flagged["is_at_risk"].tolist() == [True, True, True, False, False]
    assert scored["is_at_risk"].sum() == baseline["is_at_risk"].sum() + 3
    assert clv_by_segment(scored)["detractors"].sum() == 3
