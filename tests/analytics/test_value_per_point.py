"""The two value-per-point estimates: the cross-section is confounded by who the customers are,
the within-customer (fixed-effects) slope is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.rox_config import RoxConfigError, parse_rox_settings
from analytics.rox_initiatives import CustomerWeights
from analytics.value_per_point import cross_section, value_per_point_steps, within

MONTHS = pd.date_range("2025-01-01", periods=6, freq="MS")
BETA = 2.0  # EUR per customer-year per point, within each customer


def _panel(customers: int = 400, noise: float = 0.0, seed: int = 7):
    """Customers whose level of margin falls with their typical score (a confounder between
    customers), and whose forward margin rises BETA per point of their own month-to-month
    change in score."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, customers + 1)
    typical = rng.uniform(30, 90, customers)
    level = 500.0 - 4.0 * typical
    rows, forward = [], []
    for i, cid in enumerate(ids):
        for month in MONTHS:
            score = typical[i] + rng.normal(0, 8)
            rows.append((cid, month, "delivery", 2, 2 * score))
            margin = level[i] + BETA * score + rng.normal(0, noise)
            forward.append((cid, month, margin))
    scores = pd.DataFrame(
        rows, columns=["customer_id", "month_start", "touchpoint_id", "scores", "score_sum_0_100"]
    )
    forward = pd.DataFrame(
        forward, columns=["customer_id", "month_start", "forward_margin_annual_eur"]
    )
    annual = forward.groupby("customer_id")["forward_margin_annual_eur"].mean()
    customers_frame = pd.DataFrame(
        {"customer_id": annual.index, "annual_margin_eur": annual.values}
    )
    return scores, forward, customers_frame, CustomerWeights(ids, seed=1, reps=200)


def test_within_recovers_the_slope_the_cross_section_misses():
    scores, forward, customers, weights = _panel()
    slopes, n = within(scores, forward, "touchpoint_id", "delivery", weights)
    assert n == 400
    assert slopes[0] == pytest.approx(BETA, rel=1e-9)
    between = cross_section(scores, customers, "touchpoint_id", "delivery", weights)
    # Between customers the confounder (-4 per point of typical score) dominates.
    assert between[0] < 0


def test_within_interval_covers_the_slope_under_noise():
    scores, forward, _, weights = _panel(noise=40.0)
    slopes, _ = within(scores, forward, "touchpoint_id", "delivery", weights)
    low, high = np.quantile(slopes[1:], [0.025, 0.975])
    assert low < BETA < high
    assert high - low < 2.0  # informative: 400 customers x 6 months


def test_customers_seen_once_and_missing_forward_margin_are_left_out():
    scores, forward, _, weights = _panel(customers=50)
    # Customers 1-10 answer in one month only; customers 11-20 have a forward margin for one
    # month only (the last months of the data have none): neither has a within-customer change.
    once = scores[(scores["customer_id"] > 10) | (scores["month_start"] == MONTHS[0])]
    short = forward[(forward["customer_id"] > 20) | (forward["month_start"] == MONTHS[0])]
    slopes, n = within(once, short, "touchpoint_id", "delivery", weights)
    assert n == 30
    assert slopes[0] == pytest.approx(BETA, rel=1e-9)
    empty, none = within(scores, None, "touchpoint_id", "delivery", weights)
    assert none == 0 and np.isnan(empty).all()


def test_the_configured_method_chooses_the_value_per_point_and_both_are_reported():
    scores, forward, customers, weights = _panel(customers=100)
    for method in ("cross_section", "within"):
        chosen, steps, n = value_per_point_steps(
            scores, customers, forward, "touchpoint_id", "delivery", weights, method
        )
        key = f"value_per_point_{method}_eur"
        np.testing.assert_array_equal(chosen, steps[key])
        assert set(steps) == {"value_per_point_cross_section_eur", "value_per_point_within_eur"}
        assert n == 100
    with pytest.raises(ValueError, match="not one of"):
        value_per_point_steps(scores, customers, forward, "touchpoint_id", "delivery", weights, "x")


def test_the_method_is_validated_in_config():
    base = {"version": 1, "cx_index": {"weights": {"nps": 1.0}}}
    settings, _ = parse_rox_settings({**base, "initiatives": {"value_per_point": "within"}})
    assert settings.value_per_point_method == "within"
    assert parse_rox_settings(base)[0].value_per_point_method == "cross_section"
    with pytest.raises(RoxConfigError, match="initiatives.value_per_point"):
        parse_rox_settings({**base, "initiatives": {"value_per_point": "panel"}})
