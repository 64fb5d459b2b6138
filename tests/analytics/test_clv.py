"""BG/NBD and Gamma-Gamma: the published CDNOW results, parameter recovery, CLV by hand."""

from __future__ import annotations

import importlib.metadata
import math

import numpy as np
import pandas as pd
import pytest
from scipy import special

from analytics import clv
from analytics.clv import ClvFitError

# Fader, Hardie & Lee (2005): BG/NBD on CDNOW (weeks) and the Gamma-Gamma spend model.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def cdnow(name: str) -> pd.DataFrame:
    """A CDNOW summary file shipped as package data of `lifetimes` (its code is not imported)."""
    path = importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}")
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def cdnow_fit() -> dict:
    data = cdnow("cdnow_customers_summary.csv")
    return clv.fit_bgnbd(data["frequency"], data["recency"], data["T"])


def test_bgnbd_reproduces_the_published_cdnow_parameters(cdnow_fit) -> None:
    for name, published in PUBLISHED_BGNBD.items():
        assert cdnow_fit[name] == pytest.approx(published, rel=0.005), name
    assert cdnow_fit["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)
    assert cdnow_fit["n"] == 2357


def test_gamma_gamma_reproduces_the_published_cdnow_parameters() -> None:
    data = cdnow("cdnow_customers_summary_with_transactions.csv")
    fitted = clv.fit_gamma_gamma(data["x"], data["zbar"])
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert fitted[name] == pytest.approx(published, rel=0.005), name
    assert fitted["n"] == int((data["x"] > 0).sum())


def test_conditional_expectation_of_the_papers_example_customer(cdnow_fit) -> None:
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks.
    expected = clv.expected_purchases(cdnow_fit, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.001)
    alive = clv.probability_alive(cdnow_fit, [0, 2], [0.0, 30.43], [38.86, 38.86])
    assert alive[0] == 1.0 and 0 < alive[1] < 1


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, horizon: float, seed: int):
    """Customers' (x, t_x, T) drawn from a known BG/NBD process."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    big_t = rng.uniform(horizon / 2, horizon, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock[alive] += rng.exponential(1 / rate[alive])
        bought = alive & (clock < big_t)
        x[bought] += 1
        t_x[bought] = clock[bought]
        alive = bought & (rng.random(n) >= dropout)
    return x, t_x, big_t


def test_recovers_known_parameters_from_simulated_customers() -> None:
    truth = {"r": 0.6, "alpha": 8.0, "a": 1.2, "b": 4.0}
    x, t_x, big_t = simulate_bgnbd(30000, **truth, horizon=80.0, seed=5)
    fitted = clv.fit_bgnbd(x, t_x, big_t)
    for name, value in truth.items():
        assert fitted[name] == pytest.approx(value, rel=0.15), name

    rng = np.random.default_rng(6)
    p, q, v = 4.0, 3.0, 30.0
    frequency = rng.integers(1, 8, 20000).astype(float)
    nu = rng.gamma(q, 1 / v, frequency.size)
    mean_spend = np.array(
        [rng.gamma(p, 1 / z, int(k)).mean() for z, k in zip(nu, frequency, strict=True)]
    )
    spend = clv.fit_gamma_gamma(frequency, mean_spend)
    assert spend["p"] == pytest.approx(p, rel=0.1)
    assert spend["q"] == pytest.approx(q, rel=0.1)
    assert spend["v"] == pytest.approx(v, rel=0.15)


def test_a_common_dropout_probability_fits_as_the_limit_of_large_a_and_b() -> None:
    # Every customer drops out with about the same probability (a Beta(2000, 18000) p): the
    # likelihood keeps rising as a and b grow together, and the fit runs to the bound with
    # a / (a + b) identified. That limit is a model, not a failure.
    x, t_x, big_t = simulate_bgnbd(3000, 0.6, 8.0, 2000.0, 18000.0, horizon=80.0, seed=1)
    fitted = clv.fit_bgnbd(x, t_x, big_t)
    assert fitted["b"] > 1e5
    assert fitted["a"] / (fitted["a"] + fitted["b"]) == pytest.approx(0.1, rel=0.1)
    assert fitted["r"] == pytest.approx(0.6, rel=0.15)
    # Further along the limit the predictions stay where they are.
    further = {**fitted, "a": fitted["a"] * 10, "b": fitted["b"] * 10}
    here = clv.expected_purchases(fitted, 26.0, x, t_x, big_t)
    there = clv.expected_purchases(further, 26.0, x, t_x, big_t)
    np.testing.assert_allclose(here, there, rtol=1e-3)


def test_clv_matches_a_hand_calculation_for_one_customer(cdnow_fit) -> None:
    gamma_gamma = {"p": 6.25, "q": 3.74, "v": 15.44}
    x, t_x, big_t, m = 2.0, 30.43, 38.86, 22.35
    r, alpha, a, b = (cdnow_fit[k] for k in ("r", "alpha", "a", "b"))
    weeks_per_month = 52 / 12
    monthly = 1.10 ** (1 / 12) - 1

    def cumulative(t: float) -> float:  # FHL (2005) equation 10, written out
        head = (a + b + x - 1) / (a - 1)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
        body = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp
        return head * body / (1 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))

    order_value = 6.25 * (15.44 + x * m) / (6.25 * x + 3.74 - 1)
    by_hand = sum(
        0.3
        * order_value
        * (cumulative(k * weeks_per_month) - cumulative((k - 1) * weeks_per_month))
        / (1 + monthly) ** k
        for k in range(1, 13)
    )
    computed = clv.clv(
        cdnow_fit, gamma_gamma, [x], [t_x], [big_t], [m], months=12, margin=0.3,
        annual_discount_rate=0.10, units_per_month=weeks_per_month,
    )[0]  # fmt: skip
    assert computed == pytest.approx(by_hand, rel=1e-9)
    assert 0 < computed < 0.3 * order_value * cumulative(52)


def test_analytic_gradient_matches_finite_differences() -> None:
    data = cdnow("cdnow_customers_summary.csv")
    x, t_x, big_t = (data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    params = np.array([0.3, 4.0, 0.8, 2.5])
    ll, grad = clv._bgnbd_terms(params, x, t_x, big_t)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6
        numeric = (clv._bgnbd_terms(params + step, x, t_x, big_t)[0].sum() - ll.sum()) / 1e-6
        assert grad[i].sum() == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([0, 0, 0], [0, 0, 0], [10, 20, 30], "no customer has frequency > 0"),
        ([2], [5], [10], "at least two customers"),
        ([1, 2], [5, 15], [10, 10], "recency <= T"),
        ([1, math.nan], [5, 5], [10, 10], "NaN"),
    ],
)
def test_degenerate_purchase_data_gives_a_clear_error(frequency, recency, T, message) -> None:
    with pytest.raises(ClvFitError, match=message):
        clv.fit_bgnbd(frequency, recency, T)


def test_degenerate_spend_data_gives_a_clear_error() -> None:
    with pytest.raises(ClvFitError, match="positive spend"):
        clv.fit_gamma_gamma([1, 2, 3], [0.0, 0.0, 0.0])
    with pytest.raises(ClvFitError, match="positive spend"):
        clv.fit_gamma_gamma([0, 0], [10.0, 12.0])
