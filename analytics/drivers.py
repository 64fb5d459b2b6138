"""Key-driver analysis: Johnson's relative weights with bootstrap intervals, exact Shapley R².

Which drivers (satisfaction with delivery, price, support, ...) matter most for an outcome
(overall satisfaction, NPS, spend)? Drivers are correlated, so regression coefficients split
the credit arbitrarily. Johnson (2000), "A heuristic method for estimating the relative weight
of predictor variables in multiple regression", replaces the drivers by their closest
orthogonal counterparts, regresses the outcome on those, and maps the explained variance back:

    R_xx = V diag(λ) V'            (driver correlation matrix)
    Λ    = V diag(sqrt λ) V'       (its symmetric square root: corr(X_j, Z_k))
    β    = Λ^-1 r_xy               (standardised outcome on the orthogonal Z)
    w_j  = Σ_k Λ_jk² β_k²          (raw relative weight of driver j)

The raw weights are non-negative and sum to the OLS R² of the standardised regression, so
each is the driver's share of R²; importance_pct = w_j / R² * 100 is what CX platforms show.

Perfect collinearity (a driver duplicated, or one a linear combination of others) makes
R_xx singular. Eigenvalues below `_EIGEN_RTOL` times the largest (including tiny negative
ones from rounding) are clipped to 0 and Λ is inverted by its pseudo-inverse: the outcome is
regressed on the non-degenerate orthogonal directions only, the weights still sum to the OLS
R² (of the minimum-norm fit), and exact duplicates share their weight equally.

`shapley_r2` is the exact Shapley decomposition of R² (LMG / general dominance): the average
gain in R² from adding a driver over all orders. It is exponential in the number of drivers;
relative weights approximate it closely in polynomial time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DriverAnalysisError",
    "InsufficientDataError",
    "RelativeWeights",
    "priority_quadrant",
    "relative_weights",
    "shapley_r2",
]

# Eigenvalues of R_xx at or below this fraction of the largest count as exact collinearity.
_EIGEN_RTOL = 1e-12
# A standardised column whose (resampled) variance is below this is constant.
_ZERO_VARIANCE = 1e-20
# Bootstrap resamples are processed in blocks of at most this many float64 cells.
_BLOCK_CELLS = 4_000_000
_MAX_SHAPLEY_DRIVERS = 12

QUADRANTS = ("fix", "leverage", "maintain", "monitor")


class DriverAnalysisError(ValueError):
    """The inputs cannot be analysed as given (shape, types, values or parameters)."""


class InsufficientDataError(DriverAnalysisError):
    """Too few complete rows, or a driver or the outcome does not vary."""


@dataclass(frozen=True)
class RelativeWeights:
    """Relative weights per driver (`table`), the OLS R² they add up to and the sample used.

    table columns: driver, raw_weight (share of R²), importance_pct (raw_weight / R² * 100),
    ci_low and ci_high (bootstrap percentile interval of raw_weight), importance_pct_ci_low,
    importance_pct_ci_high, n (complete rows used). Sorted by raw_weight, largest first.
    """

    table: pd.DataFrame
    r_squared: float
    n: int
    dropped_rows: int


# --- input preparation ----------------------------------------------------------------------


def _complete_rows(X: pd.DataFrame, y: pd.Series) -> tuple[np.ndarray, np.ndarray, list, int]:
    """Numeric X and y without rows that have a NaN, the driver names and how many rows went."""
    if not isinstance(X, pd.DataFrame):
        raise DriverAnalysisError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    if X.shape[1] < 1:
        raise InsufficientDataError("X has no columns: at least one driver is needed")
    if X.columns.has_duplicates:
        duplicated = sorted({str(c) for c in X.columns[X.columns.duplicated()]})
        raise DriverAnalysisError(f"driver names must be unique, duplicated: {duplicated}")
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DriverAnalysisError(f"y must be one column, got {y.shape[1]}")
        y = y.iloc[:, 0]
    if len(y) != len(X):
        raise DriverAnalysisError(f"X has {len(X)} rows but y has {len(y)}")
    if isinstance(y, pd.Series) and not y.index.equals(X.index):
        raise DriverAnalysisError("X and y must share the same index (one row per respondent)")
    values = np.empty(X.shape, dtype=float)
    for j, name in enumerate(X.columns):
        try:
            values[:, j] = pd.to_numeric(X.iloc[:, j], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise DriverAnalysisError(f"driver {name!r} is not numeric: {exc}") from None
    try:
        outcome = pd.to_numeric(pd.Series(np.asarray(y)), errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DriverAnalysisError(f"y is not numeric: {exc}") from None
    if np.isinf(values).any() or np.isinf(outcome).any():
        raise DriverAnalysisError("X or y contains infinite values")
    keep = ~(np.isnan(values).any(axis=1) | np.isnan(outcome))
    return values[keep], outcome[keep], list(X.columns), int((~keep).sum())


def _check_sample(x: np.ndarray, y: np.ndarray, drivers: list, min_n: int, dropped: int) -> None:
    n, p = x.shape
    needed = max(min_n, p + 2)
    if n < needed:
        why = f"min_n = {min_n}" if needed == min_n else f"{p} drivers need at least p + 2"
        raise InsufficientDataError(
            f"{n} complete rows ({dropped} dropped for missing values), "
            f"at least {needed} are needed ({why})"
        )
    constant = [str(name) for name, col in zip(drivers, x.T, strict=True) if np.ptp(col) == 0]
    if constant:
        raise InsufficientDataError(f"drivers with zero variance: {constant}")
    if np.ptp(y) == 0:
        raise InsufficientDataError("the outcome y has zero variance")


def _standardise(data: np.ndarray) -> np.ndarray:
    """Centre and scale columns to mean 0 and variance 1 (population variance)."""
    centred = data - data.mean(axis=0)
    return centred / np.sqrt((centred**2).mean(axis=0))


# --- relative weights -------------------------------------------------------------------------


def _correlations(moments: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R_xx, r_xy and a validity flag from covariance matrices of [X, y], shape (B, m, m)."""
    var = np.diagonal(moments, axis1=1, axis2=2)
    valid = (var > _ZERO_VARIANCE).all(axis=1)
    sd = np.sqrt(np.where(valid[:, None], var, 1.0))
    corr = moments / (sd[:, :, None] * sd[:, None, :])
    return corr[:, :-1, :-1], corr[:, :-1, -1], valid


def _weights(r_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights for stacks R_xx (B, p, p) and r_xy (B, p)."""
    lam, vec = np.linalg.eigh(r_xx)
    tol = _EIGEN_RTOL * lam.max(axis=1, keepdims=True)
    keep = lam > tol
    root = np.sqrt(np.where(keep, lam, 0.0))
    inv_root = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)
    big_lambda = (vec * root[:, None, :]) @ np.swapaxes(vec, 1, 2)
    coords = np.einsum("bji,bj->bi", vec, r_xy)
    beta = np.einsum("bij,bj->bi", vec, inv_root * coords)
    return np.einsum("bjk,bk->bj", big_lambda**2, beta**2)


def _bootstrap(data: np.ndarray, n_bootstrap: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw weights and percentages for `n_bootstrap` row resamples; NaN where degenerate."""
    n, m = data.shape
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // (n * m))
    raw = np.full((n_bootstrap, m - 1), np.nan)
    done = 0
    while done < n_bootstrap:
        size = min(block, n_bootstrap - done)
        sample = data[rng.integers(0, n, size=(size, n))]
        sample -= sample.mean(axis=1, keepdims=True)
        cov = np.swapaxes(sample, 1, 2) @ sample / n
        r_xx, r_xy, valid = _correlations(cov)
        if valid.any():
            raw[done : done + size][valid] = _weights(r_xx[valid], r_xy[valid])
        done += size
    total = raw.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(total > 0, raw / total * 100.0, np.nan)
    return raw, pct


def relative_weights(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    n_bootstrap: int = 500,
    ci: float = 0.95,
    min_n: int = 30,
    seed: int = 0,
) -> RelativeWeights:
    """Johnson's relative weights of the drivers in X for outcome y, with bootstrap intervals.

    Rows with a NaN in X or y are dropped (`dropped_rows`). Intervals are percentile intervals
    over `n_bootstrap` resamples of the n complete rows with replacement: resample b takes rows
    `numpy.random.default_rng(seed).integers(0, n, size=(n_bootstrap, n))[b]` (`n_bootstrap=0`
    skips them: NaN). A resample in which a driver or y happens to be constant has no weights
    and is left out of the intervals. importance_pct is NaN if R² is exactly 0.

    Raises InsufficientDataError with fewer than `min_n` (and fewer than drivers + 2) complete
    rows, or for a constant driver or outcome. See the module docstring for the method and for
    collinear drivers.
    """
    if not 0.0 < ci < 1.0:
        raise DriverAnalysisError(f"ci must be between 0 and 1, got {ci}")
    if n_bootstrap < 0:
        raise DriverAnalysisError(f"n_bootstrap must be 0 or more, got {n_bootstrap}")
    x, outcome, drivers, dropped = _complete_rows(X, y)
    _check_sample(x, outcome, drivers, min_n, dropped)
    n, p = x.shape
    data = _standardise(np.column_stack([x, outcome]))
    r_xx, r_xy, _ = _correlations((data.T @ data / n)[None])
    raw = _weights(r_xx, r_xy)[0]
    r_squared = float(raw.sum())
    pct = raw / r_squared * 100.0 if r_squared > 0 else np.full(p, np.nan)

    ci_bounds = np.full((4, p), np.nan)
    if n_bootstrap > 0:
        boot_raw, boot_pct = _bootstrap(data, n_bootstrap, seed)
        tails = [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0]
        if not np.isnan(boot_raw).all():
            ci_bounds[:2] = np.nanquantile(boot_raw, tails, axis=0)
        if not np.isnan(boot_pct).all():
            ci_bounds[2:] = np.nanquantile(boot_pct, tails, axis=0)

    table = pd.DataFrame(
        {
            "driver": drivers,
            "raw_weight": raw,
            "importance_pct": pct,
            "ci_low": ci_bounds[0],
            "ci_high": ci_bounds[1],
            "importance_pct_ci_low": ci_bounds[2],
            "importance_pct_ci_high": ci_bounds[3],
            "n": n,
        }
    )
    table = table.sort_values("raw_weight", ascending=False, kind="stable").reset_index(drop=True)
    return RelativeWeights(table=table, r_squared=r_squared, n=n, dropped_rows=dropped)


# --- exact Shapley decomposition --------------------------------------------------------------


def shapley_r2(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Exact Shapley decomposition of the OLS R² (LMG, general dominance) per driver.

    Averages each driver's R² gain over all orders of entry by enumerating all 2^p subsets of
    drivers: exact, but exponential, so at most 12 drivers. The shares sum to the full R².
    Rows with a NaN are dropped; collinear subsets are fitted by pseudo-inverse.
    """
    x, outcome, drivers, dropped = _complete_rows(X, y)
    p = x.shape[1]
    if p > _MAX_SHAPLEY_DRIVERS:
        raise DriverAnalysisError(
            f"shapley_r2 enumerates 2^p subsets: {p} drivers is more than the "
            f"{_MAX_SHAPLEY_DRIVERS} allowed; use relative_weights"
        )
    _check_sample(x, outcome, drivers, min_n=0, dropped=dropped)
    data = _standardise(np.column_stack([x, outcome]))
    corr = data.T @ data / len(data)
    r_xx, r_xy = corr[:-1, :-1], corr[:-1, -1]

    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        cols = [j for j in range(p) if mask >> j & 1]
        r_s = r_xy[cols]
        r2[mask] = r_s @ np.linalg.pinv(r_xx[np.ix_(cols, cols)], hermitian=True) @ r_s

    size = np.array([bin(mask).count("1") for mask in range(1 << p)])
    order_weight = np.array([math.factorial(s) * math.factorial(p - s - 1) for s in range(p)])
    order_weight = order_weight / math.factorial(p)
    shares = np.zeros(p)
    for j in range(p):
        bit = 1 << j
        without = np.array([mask for mask in range(1 << p) if not mask & bit])
        shares[j] = order_weight[size[without]] @ (r2[without | bit] - r2[without])
    return pd.Series(shares, index=pd.Index(drivers, name="driver"), name="shapley_r2")


# --- priority matrix --------------------------------------------------------------------------


def priority_quadrant(
    importance_pct: pd.Series,
    performance_0_100: pd.Series,
    *,
    importance_threshold: float | None = None,
    performance_threshold: float | None = None,
    importance_ci_low: pd.Series | None = None,
) -> pd.Series:
    """Label each driver of an importance x performance matrix (both indexed by driver).

    Important: importance above `importance_threshold`, by default the mean importance of a
    full table, 100 / number of drivers (so pass percentages that sum to 100, or a threshold).
    With `importance_ci_low` (the lower bound of each driver's importance interval) a driver is
    important only when that bound clears the threshold, so noise cannot flip its quadrant: a
    driver whose interval straddles the threshold stays "less important" until the data say
    otherwise.
    Strong: performance (0-100) at or above `performance_threshold`, by default the median.
    Labels: "fix" (important, weak), "leverage" (important, strong), "maintain" (less
    important, strong), "monitor" (less important, weak).
    """
    importance = pd.Series(importance_pct, dtype=float)
    performance = pd.Series(performance_0_100, dtype=float)
    if importance.empty:
        raise DriverAnalysisError("importance_pct is empty: no drivers to place")
    if importance.index.has_duplicates or performance.index.has_duplicates:
        raise DriverAnalysisError("drivers must appear once in importance and performance")
    if set(importance.index) != set(performance.index):
        missing = sorted(map(str, set(importance.index) ^ set(performance.index)))
        raise DriverAnalysisError(f"drivers not in both importance and performance: {missing}")
    performance = performance.reindex(importance.index)
    if importance.isna().any() or performance.isna().any():
        raise DriverAnalysisError("importance and performance must not contain NaN")
    if ((performance < 0) | (performance > 100)).any():
        raise DriverAnalysisError("performance_0_100 must lie between 0 and 100")
    if importance_threshold is None:
        importance_threshold = 100.0 / len(importance)
    if performance_threshold is None:
        performance_threshold = float(performance.median())
    if importance_ci_low is None:
        important = importance > importance_threshold
    else:
        low = pd.Series(importance_ci_low, dtype=float).reindex(importance.index)
        if low.isna().any():
            raise DriverAnalysisError("importance_ci_low must hold a bound for every driver")
        important = low > importance_threshold
    strong = performance >= performance_threshold
    labels = np.select(
        [important & ~strong, important & strong, ~important & strong],
        ["fix", "leverage", "maintain"],
        default="monitor",
    )
    return pd.Series(labels, index=importance.index, name="quadrant", dtype=object)
