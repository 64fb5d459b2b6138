"""Key-driver analysis: relative weights against an independent SVD implementation, OLS R² and
the exact Shapley decomposition, planted truth, bootstrap intervals, edge cases, quadrants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import drivers
from analytics.drivers import (
    DriverAnalysisError,
    InsufficientDataError,
    RelativeWeights,
    priority_quadrant,
    relative_weights,
    shapley_r2,
)

TABLE_COLUMNS = [
    "driver",
    "raw_weight",
    "importance_pct",
    "ci_low",
    "ci_high",
    "importance_pct_ci_low",
    "importance_pct_ci_high",
    "n",
]


def correlated_data(
    n: int, coefs, *, rho: float = 0.4, noise: float = 1.0, seed: int = 0, names=None
) -> tuple[pd.DataFrame, pd.Series]:
    """Drivers with pairwise correlation rho (on differing scales) and a linear outcome."""
    rng = np.random.default_rng(seed)
    coefs = np.asarray(coefs, dtype=float)
    p = len(coefs)
    cov = rho + (1.0 - rho) * np.eye(p)
    latent = rng.multivariate_normal(np.zeros(p), cov, size=n)
    y = latent @ coefs + noise * rng.normal(size=n)
    scales = np.linspace(1.0, 3.0, p)
    names = names or [f"d{j}" for j in range(p)]
    X = pd.DataFrame(latent * scales + 5.0, columns=names)
    return X, pd.Series(y * 2.0 + 10.0, name="overall")


def by_driver(result: RelativeWeights, column: str = "raw_weight") -> pd.Series:
    """One column by driver name, in name order (the table itself is sorted by weight)."""
    return result.table.set_index("driver")[column].sort_index()


def johnson_by_svd(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Independent relative weights: orthogonal approximation Z = U V' of the standardised X,
    y regressed on Z, each X_j regressed on Z, combined as Σ_k Λ_kj² β_k²."""
    x = X.to_numpy(dtype=float)
    xs = x - x.mean(axis=0)
    xs /= np.linalg.norm(xs, axis=0)  # unit length: xs' xs is the correlation matrix
    ys = y.to_numpy() - y.mean()
    ys /= np.linalg.norm(ys)
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # lam[k, j]: X_j on Z_k
    return pd.Series((lam**2 * beta[:, None] ** 2).sum(axis=0), index=X.columns)


def ols_r2(X: pd.DataFrame, y: pd.Series) -> float:
    design = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    fitted = design @ np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]
    resid = y.to_numpy() - fitted
    return 1.0 - resid @ resid / ((y - y.mean()) ** 2).sum()


# --- the numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed, coefs", [(1, [0.5, 0.3, 0.2]), (2, [0.4, -0.3, 0.2, 0.1, 0.0, 0.6])]
)
def test_relative_weights_equal_an_independent_svd_implementation(seed, coefs) -> None:
    X, y = correlated_data(400, coefs, rho=0.5, seed=seed)
    result = relative_weights(X, y, n_bootstrap=0)
    expected = johnson_by_svd(X, y)
    np.testing.assert_allclose(by_driver(result)[X.columns], expected, rtol=0, atol=1e-10)
    assert result.table.columns.tolist() == TABLE_COLUMNS


def test_relative_weights_sum_to_the_ols_r_squared_and_percentages_to_100() -> None:
    X, y = correlated_data(700, [0.6, 0.1, -0.2, 0.3, 0.05], rho=0.3, seed=3)
    result = relative_weights(X, y, n_bootstrap=0)
    r2 = ols_r2(X, y)
    assert result.r_squared == pytest.approx(r2, abs=1e-10)
    assert result.table["raw_weight"].sum() == pytest.approx(r2, abs=1e-10)
    assert result.table["importance_pct"].sum() == pytest.approx(100.0, abs=1e-9)
    np.testing.assert_allclose(
        result.table["importance_pct"], result.table["raw_weight"] / r2 * 100, atol=1e-8
    )
    assert (result.table["raw_weight"] >= 0).all()
    assert result.table["raw_weight"].is_monotonic_decreasing


def test_relative_weights_do_not_depend_on_the_units_of_the_drivers() -> None:
    X, y = correlated_data(300, [0.5, 0.3, 0.2], seed=4)
    rescaled = X * [100.0, 0.01, -3.0] + 42.0
    a = by_driver(relative_weights(X, y, n_bootstrap=0))
    b = by_driver(relative_weights(rescaled, y * 7 - 1, n_bootstrap=0))
    np.testing.assert_allclose(a[X.columns], b[X.columns], atol=1e-12)


@pytest.mark.parametrize("p", [3, 4, 5, 6])
def test_relative_weights_sit_close_to_the_exact_shapley_decomposition(p) -> None:
    coefs = np.linspace(0.6, 0.1, p)[np.random.default_rng(p).permutation(p)]
    X, y = correlated_data(3000, coefs, rho=0.35, seed=10 + p)
    rw = by_driver(relative_weights(X, y, n_bootstrap=0))[X.columns]
    exact = shapley_r2(X, y)[X.columns]
    np.testing.assert_allclose(rw, exact, rtol=0, atol=0.02)
    assert rw.idxmax() == exact.idxmax() == X.columns[int(np.argmax(coefs))]
    assert rw.sum() == pytest.approx(exact.sum(), abs=1e-10)


def test_shapley_r2_sums_to_r_squared() -> None:
    X, y = correlated_data(500, [0.4, 0.2, -0.3, 0.1, 0.25], rho=0.5, seed=5)
    shares = shapley_r2(X, y)
    assert shares.sum() == pytest.approx(ols_r2(X, y), abs=1e-10)
    assert list(shares.index) == list(X.columns)


def test_shapley_r2_equals_the_hand_computed_two_driver_case() -> None:
    X, y = correlated_data(250, [0.5, 0.2], rho=0.6, seed=6, names=["price", "support"])
    corr = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    r1, r2, r12 = corr[0, 2], corr[1, 2], corr[0, 1]
    full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    # Two orders of entry: a driver first gains r², second gains full - (the other's r²).
    expected = {"price": (r1**2 + full - r2**2) / 2, "support": (r2**2 + full - r1**2) / 2}
    shares = shapley_r2(X, y)
    assert shares["price"] == pytest.approx(expected["price"], abs=1e-12)
    assert shares["support"] == pytest.approx(expected["support"], abs=1e-12)


def test_shapley_r2_refuses_more_than_12_drivers() -> None:
    X, y = correlated_data(200, np.full(13, 0.1), seed=7)
    with pytest.raises(ValueError, match="13 drivers"):
        shapley_r2(X, y)


def test_planted_delivery_driver_ranks_first_with_its_interval_above_the_others() -> None:
    names = ["delivery", "price", "support", "app", "returns"]
    X, y = correlated_data(1500, [0.7, 0.3, 0.25, 0.15, 0.1], rho=0.4, seed=8, names=names)
    result = relative_weights(X, y, n_bootstrap=300, seed=1)
    table = result.table
    assert table["driver"].iloc[0] == "delivery"
    others = table[table["driver"] != "delivery"]
    delivery = table[table["driver"] == "delivery"].iloc[0]
    assert delivery["ci_low"] > others["raw_weight"].max()
    assert delivery["importance_pct_ci_low"] > others["importance_pct"].max()


# --- bootstrap ---------------------------------------------------------------------------------


def test_bootstrap_intervals_contain_the_estimate_and_narrow_with_more_data() -> None:
    coefs = [0.5, 0.3, 0.2, 0.1]
    small = relative_weights(*correlated_data(300, coefs, seed=9), n_bootstrap=400)
    large = relative_weights(*correlated_data(6000, coefs, seed=9), n_bootstrap=400)
    for result in (small, large):
        t = result.table
        assert (t["ci_low"] <= t["raw_weight"]).all() and (t["raw_weight"] <= t["ci_high"]).all()
        assert (t["importance_pct_ci_low"] <= t["importance_pct"]).all()
        assert (t["importance_pct"] <= t["importance_pct_ci_high"]).all()
        assert (t["ci_low"] >= 0).all()
    width_small = by_driver(small, "ci_high") - by_driver(small, "ci_low")
    width_large = by_driver(large, "ci_high") - by_driver(large, "ci_low")
    assert (width_large < width_small / 2).all()


def test_bootstrap_is_deterministic_by_seed_and_wider_for_a_higher_level() -> None:
    X, y = correlated_data(400, [0.5, 0.3, 0.2], seed=10)
    a = relative_weights(X, y, n_bootstrap=200, seed=11)
    b = relative_weights(X, y, n_bootstrap=200, seed=11)
    c = relative_weights(X, y, n_bootstrap=200, seed=12)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["ci_low"], c.table["ci_low"])
    pd.testing.assert_series_equal(a.table["raw_weight"], c.table["raw_weight"])
    wide = relative_weights(X, y, n_bootstrap=200, seed=11, ci=0.99)
    assert (wide.table["ci_low"] <= a.table["ci_low"]).all()
    assert (wide.table["ci_high"] >= a.table["ci_high"]).all()


def test_bootstrap_equals_a_naive_loop_over_the_documented_resamples(monkeypatch) -> None:
    X, y = correlated_data(120, [0.5, 0.3, 0.2], seed=21)
    n_bootstrap, seed, level = 60, 5, 0.9
    rows = np.random.default_rng(seed).integers(0, len(X), size=(n_bootstrap, len(X)))
    raw = np.array([johnson_by_svd(X.iloc[r], y.iloc[r]).to_numpy() for r in rows])
    pct = raw / raw.sum(axis=1, keepdims=True) * 100
    tails = [0.05, 0.95]
    result = relative_weights(X, y, n_bootstrap=n_bootstrap, seed=seed, ci=level)
    table = result.table.set_index("driver").loc[X.columns]
    np.testing.assert_allclose(table[["ci_low", "ci_high"]].T, np.quantile(raw, tails, axis=0))
    np.testing.assert_allclose(
        table[["importance_pct_ci_low", "importance_pct_ci_high"]].T,
        np.quantile(pct, tails, axis=0),
    )
    # Processing the resamples in small blocks draws the same rows.
    monkeypatch.setattr(drivers, "_BLOCK_CELLS", 1000)
    blocked = relative_weights(X, y, n_bootstrap=n_bootstrap, seed=seed, ci=level)
    pd.testing.assert_frame_equal(blocked.table, result.table)


def test_no_bootstrap_leaves_the_intervals_empty() -> None:
    X, y = correlated_data(100, [0.5, 0.3], seed=13)
    table = relative_weights(X, y, n_bootstrap=0).table
    assert table[["ci_low", "ci_high", "importance_pct_ci_low"]].isna().all().all()
    assert table["raw_weight"].notna().all()


def test_minimum_sample_rule() -> None:
    X, y = correlated_data(30, [0.5, 0.3], seed=15)
    assert relative_weights(X, y, n_bootstrap=10).n == 30
    with pytest.raises(InsufficientDataError, match=r"29 complete rows.*at least 30"):
        relative_weights(X.iloc[:29], y.iloc[:29])
    assert issubclass(InsufficientDataError, ValueError)
    with pytest.raises(InsufficientDataError, match="at least 50"):
        relative_weights(X, y, min_n=50)


def test_missing_values_drop_rows_and_count_towards_the_minimum() -> None:
    X, y = correlated_data(200, [0.5, 0.3, 0.2], seed=16)
    X_nan, y_nan = X.copy(), y.copy()
    X_nan.iloc[[0, 5, 9], 0] = np.nan
    X_nan.iloc[[5, 17], 2] = np.nan
    y_nan.iloc[[9, 40, 41]] = np.nan
    result = relative_weights(X_nan, y_nan, n_bootstrap=50, seed=3)
    keep = ~(X_nan.isna().any(axis=1) | y_nan.isna())
    assert result.dropped_rows == 6 and result.n == 194
    assert (result.table["n"] == 194).all()
    clean = relative_weights(X[keep], y[keep], n_bootstrap=50, seed=3)
    pd.testing.assert_frame_equal(result.table, clean.table)
    assert clean.dropped_rows == 0
    X_few = X.iloc[:32].copy()
    X_few.iloc[:5, 1] = np.nan
    with pytest.raises(InsufficientDataError, match=r"27 complete rows \(5 dropped"):
        relative_weights(X_few, y.iloc[:32])


def test_zero_variance_driver_or_outcome_or_no_drivers_are_refused() -> None:
    X, y = correlated_data(100, [0.5, 0.3], seed=17, names=["price", "support"])
    flat = X.assign(app_rating=4.0)
    with pytest.raises(InsufficientDataError, match="app_rating"):
        relative_weights(flat, y)
    # Constant only after the rows with a missing outcome are dropped.
    y_missing = y.copy()
    y_missing[X["price"] > X["price"].median()] = np.nan
    varies_on_dropped_rows = X.assign(flag=(X["price"] > X["price"].median()).astype(float))
    with pytest.raises(InsufficientDataError, match="flag"):
        relative_weights(varies_on_dropped_rows, y_missing)
    with pytest.raises(InsufficientDataError, match="outcome y has zero variance"):
        relative_weights(X, pd.Series(3.0, index=y.index))
    with pytest.raises(InsufficientDataError, match="no columns"):
        relative_weights(X[[]], y)
    with pytest.raises(InsufficientDataError, match="app_rating"):
        shapley_r2(flat, y)


def test_bad_inputs_get_clear_errors() -> None:
    X, y = correlated_data(100, [0.5, 0.3], seed=18)
    with pytest.raises(ValueError, match="same index"):
        relative_weights(X, y.set_axis(range(1, 101)))
    with pytest.raises(ValueError, match="'d1' is not numeric"):
        relative_weights(X.assign(d1="high"), y)
    with pytest.raises(ValueError, match="ci must be between 0 and 1"):
        relative_weights(X, y, ci=95)
    with pytest.raises(ValueError, match="infinite"):
        relative_weights(X.assign(d0=np.inf), y)


@pytest.mark.filterwarnings("error")  # e.g. a square root of a rounding-negative eigenvalue
def test_collinear_duplicate_drivers_split_the_weight_about_equally() -> None:
    X, y = correlated_data(800, [0.5, 0.3, 0.2], rho=0.3, seed=19)
    doubled = X.assign(d0_copy=X["d0"] * 2.0 + 1.0)  # the same driver in other units
    result = relative_weights(doubled, y, n_bootstrap=100)
    weights = by_driver(result)
    assert weights["d0"] == pytest.approx(weights["d0_copy"], abs=1e-10)
    assert result.r_squared == pytest.approx(ols_r2(X, y), abs=1e-10)
    alone = by_driver(relative_weights(X, y, n_bootstrap=0))
    assert weights["d0"] + weights["d0_copy"] == pytest.approx(alone["d0"], abs=0.02)
    assert weights["d0"] > weights["d1"] / 2  # not one full share and one empty one
    assert result.table[["ci_low", "ci_high"]].notna().all().all()
    np.testing.assert_allclose(
        by_driver(result, "ci_low")["d0"], by_driver(result, "ci_low")["d0_copy"]
    )
    shares = shapley_r2(doubled, y)
    assert shares["d0"] == pytest.approx(shares["d0_copy"], abs=1e-10)
    assert shares.sum() == pytest.approx(ols_r2(X, y), abs=1e-10)


# --- priority matrix ---------------------------------------------------------------------------


def test_priority_quadrant_with_default_thresholds() -> None:
    importance = pd.Series(
        {"delivery": 40.0, "price": 30.0, "support": 15.0, "app": 10.0, "returns": 5.0}
    )
    performance = pd.Series(
        {"delivery": 55.0, "price": 80.0, "support": 90.0, "app": 60.0, "returns": 70.0}
    )
    # Mean importance 100 / 5 = 20; median performance 70 (returns is at it, so strong).
    labels = priority_quadrant(importance, performance)
    assert labels.to_dict() == {
        "delivery": "fix",
        "price": "leverage",
        "support": "maintain",
        "app": "monitor",
        "returns": "maintain",
    }
    assert labels.name == "quadrant"
    # Performance is matched by driver name, not by position.
    assert priority_quadrant(importance, performance[::-1]).equals(labels)


def test_priority_quadrant_with_explicit_thresholds() -> None:
    importance = pd.Series(
        {"delivery": 40.0, "price": 30.0, "support": 15.0, "app": 10.0, "returns": 5.0}
    )
    performance = pd.Series(
        {"delivery": 55.0, "price": 80.0, "support": 90.0, "app": 60.0, "returns": 70.0}
    )
    labels = priority_quadrant(
        importance, performance, importance_threshold=12.0, performance_threshold=85.0
    )
    assert labels.to_dict() == {
        "delivery": "fix",
        "price": "fix",
        "support": "leverage",
        "app": "monitor",
        "returns": "monitor",
    }
    # Strictly above the importance threshold is important; at the performance one is strong.
    edge = priority_quadrant(
        importance, performance, importance_threshold=30.0, performance_threshold=80.0
    )
    assert edge["price"] == "maintain" and edge["delivery"] == "fix"


def test_with_interval_bounds_a_driver_is_important_only_when_its_lower_bound_clears() -> None:
    importance = pd.Series(
        {"delivery": 40.0, "price": 30.0, "support": 22.0, "app": 5.0, "returns": 3.0}
    )
    performance = pd.Series(
        {"delivery": 55.0, "price": 80.0, "support": 40.0, "app": 60.0, "returns": 70.0}
    )
    # support's point estimate (22) is above 100 / 5 = 20 but its interval reaches down to 14:
    # by the point estimate it is "fix", by its interval not yet.
    low = pd.Series({"delivery": 33.0, "price": 24.0, "support": 14.0, "app": 2.0, "returns": 1.0})
    assert priority_quadrant(importance, performance)["support"] == "fix"
    labels = priority_quadrant(importance, performance, importance_ci_low=low)
    assert labels.to_dict() == {
        "delivery": "fix",
        "price": "leverage",
        "support": "monitor",
        "app": "maintain",  # at the median performance, 60: strong
        "returns": "maintain",
    }
    # A narrower interval from more data settles it, whichever way the point estimate moves.
    assert priority_quadrant(importance, performance, importance_ci_low=low + 7)["support"] == (
        "fix"
    )
    with pytest.raises(DriverAnalysisError, match="importance_ci_low"):
        priority_quadrant(importance, performance, importance_ci_low=low.drop("app"))


def test_priority_quadrant_refuses_mismatched_drivers_and_off_scale_performance() -> None:
    importance = pd.Series({"delivery": 60.0, "price": 40.0})
    with pytest.raises(ValueError, match="support"):
        priority_quadrant(importance, pd.Series({"delivery": 50.0, "support": 40.0}))
    with pytest.raises(ValueError, match="between 0 and 100"):
        priority_quadrant(importance, pd.Series({"delivery": 4.2, "price": 130.0}))


def test_priority_quadrant_on_a_relative_weights_table() -> None:
    names = ["delivery", "price", "support", "app"]
    X, y = correlated_data(1000, [0.6, 0.5, 0.1, 0.05], rho=0.3, seed=20, names=names)
    table = relative_weights(X, y, n_bootstrap=0).table.set_index("driver")
    performance = pd.Series({"delivery": 50.0, "price": 85.0, "support": 90.0, "app": 40.0})
    labels = priority_quadrant(table["importance_pct"], performance)
    assert labels.to_dict() == {
        "delivery": "fix",
        "price": "leverage",
        "support": "maintain",
        "app": "monitor",
    }
