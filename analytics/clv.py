"""Customer lifetime value: BG/NBD for purchasing, Gamma-Gamma for spend, discounted CLV.

Our own maximum-likelihood implementation on numpy/scipy (Fader, Hardie & Lee 2005, "Counting
your customers the easy way" and "RFM and CLV"): closed-form log-likelihoods with analytic
gradients, fitted by L-BFGS-B on log-parameters. Identical (frequency, recency, T) rows are
collapsed into weights, so a million customers fit in seconds.

Inputs per customer, in one time unit (weeks in the published CDNOW results):
- frequency: repeat purchases (purchases after the first), x
- recency: time from the first to the last purchase, t_x (0 without repeats)
- T: time from the first purchase to the end of the observation period
- monetary_value: mean value of the repeat purchases (Gamma-Gamma only uses x > 0)
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

__all__ = [
    "ClvFitError",
    "clv",
    "expected_average_order_value",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "probability_alive",
]


class ClvFitError(ValueError):
    """The data cannot identify the model, or the optimiser did not converge."""


def _as_arrays(*columns) -> list[np.ndarray]:
    arrays = [np.asarray(c, dtype=float) for c in columns]
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
        raise ClvFitError("inputs must be one-dimensional and of equal length")
    for a in arrays:
        if not np.all(np.isfinite(a)):
            raise ClvFitError("inputs contain NaN or infinite values")
    return arrays


def _collapse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows and how often each occurs."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


# Log-parameters live in [-LOG_BOUND, LOG_BOUND]; a fit that ends this close to it ran to it.
LOG_BOUND = 12.0
# L-BFGS-B stops "ABNORMAL" when its line search cannot improve any more, which near an optimum
# is float precision, not failure: such a stop counts when the objective (a per-customer mean
# log-likelihood) is flat there, every projected gradient component below this.
STATIONARY_GRADIENT = 1e-5


def _projected_gradient(x: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """The gradient without components that push against a bound the point sits on."""
    at_upper = (x >= LOG_BOUND - 1e-8) & (gradient < 0)
    at_lower = (x <= -LOG_BOUND + 1e-8) & (gradient > 0)
    return np.where(at_upper | at_lower, 0.0, gradient)


def _maximise(
    neg_ll_and_grad, n_params: int, what: str, may_diverge: tuple[int, ...] = ()
) -> tuple[np.ndarray, float]:
    """Minimise over log-parameters. `may_diverge`: parameters that may run to the upper bound
    together, where the model has a limit the data can identify (BG/NBD's a and b: see
    fit_bgnbd); any other parameter at a bound means the data cannot identify the model."""
    result = optimize.minimize(
        neg_ll_and_grad,
        x0=np.zeros(n_params),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * n_params,
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
    )
    params = np.exp(result.x)
    stationary = bool(
        np.max(np.abs(_projected_gradient(result.x, neg_ll_and_grad(result.x)[1])))
        <= STATIONARY_GRADIENT
    )
    converged = result.success or (str(result.message).startswith("ABNORMAL") and stationary)
    if not converged or not np.all(np.isfinite(params)):
        raise ClvFitError(f"{what} fit did not converge: {result.message}")
    at_bound = np.abs(result.x) >= LOG_BOUND - 0.01
    diverging = np.zeros(n_params, dtype=bool)
    diverging[list(may_diverge)] = True
    if np.any(at_bound & ~diverging) or np.any(result.x[at_bound] < 0):
        raise ClvFitError(
            f"{what} fit ran to a parameter bound ({dict(enumerate(params.round(6)))}): "
            "the data cannot identify the model"
        )
    return params, -result.fun


# --- BG/NBD -------------------------------------------------------------------------------


def _bgnbd_terms(params, x, t_x, T):
    """Per-row log-likelihood and its gradient with respect to (r, alpha, a, b)."""
    r, alpha, a, b = params
    repeat = x > 0
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = (
        special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    a3 = -(r + x) * np.log(alpha + T)
    b_x = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(b_x) - (r + x) * np.log(alpha + t_x), -np.inf)
    lse = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - lse)
    w4 = np.where(repeat, np.exp(a4 - lse), 0.0)
    ll = a1 + a2 + lse
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + T)
        - w4 * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = special.digamma(a + b) - special.digamma(a + b + x) + w4 / a
    d_b = (
        special.digamma(a + b)
        + special.digamma(b + x)
        - special.digamma(b)
        - special.digamma(a + b + x)
        - w4 / b_x
    )
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def fit_bgnbd(frequency, recency, T) -> dict[str, float]:
    """Maximum-likelihood BG/NBD parameters: r, alpha, a, b, plus log_likelihood and n."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    if len(x) < 2:
        raise ClvFitError(f"BG/NBD needs at least two customers, got {len(x)}")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > big_t) or np.any(big_t <= 0):
        raise ClvFitError("BG/NBD needs frequency >= 0 and 0 <= recency <= T, with T > 0")
    if not np.any(x > 0):
        raise ClvFitError("BG/NBD needs repeat buyers: no customer has frequency > 0")
    (x, t_x, big_t), weight = _collapse(x, t_x, big_t)
    n = weight.sum()

    def neg_ll(log_params):
        params = np.exp(log_params)
        ll, grad = _bgnbd_terms(params, x, t_x, big_t)
        return -(weight @ ll) / n, -(grad @ weight) * params / n

    # a and b may grow together without bound: the limit where every customer drops out with
    # the same probability a / (a + b) after a purchase (no heterogeneity in dropout), which
    # the data identify even when a and b themselves are not; at the bound the predictions
    # are that limit's to about 1e-5.
    (r, alpha, a, b), ll = _maximise(neg_ll, 4, "BG/NBD", may_diverge=(2, 3))
    return {
        "r": float(r),
        "alpha": float(alpha),
        "a": float(a),
        "b": float(b),
        "log_likelihood": float(ll * n),
        "n": int(n),
    }


def probability_alive(params: dict, frequency, recency, T) -> np.ndarray:
    """P(the customer has not dropped out by T | x, t_x, T)."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    repeat = x > 0
    b_x = np.where(repeat, b + x - 1, 1.0)
    ratio = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)))
    return 1.0 / (1.0 + np.where(repeat, a / b_x * ratio, 0.0))


def expected_purchases(params: dict, t, frequency, recency, T) -> np.ndarray:
    """Expected purchases in the next `t` time units, given each customer's history."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    t = float(t)
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9  # the closed form divides by a - 1; the limit is continuous
    repeat = x > 0
    b_x = np.where(repeat, b + x - 1, 1.0)
    z = t / (alpha + big_t + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp)
    )
    ratio = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)))
    return numerator / (1.0 + np.where(repeat, a / b_x * ratio, 0.0))


# --- Gamma-Gamma --------------------------------------------------------------------------


def fit_gamma_gamma(frequency, monetary_value) -> dict[str, float]:
    """Maximum-likelihood Gamma-Gamma spend parameters p, q, v (the paper's gamma).

    Uses the customers with repeat purchases (frequency > 0) and positive mean spend.
    """
    x, m = _as_arrays(frequency, monetary_value)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 2:
        raise ClvFitError(
            "Gamma-Gamma needs at least two repeat buyers with positive spend, "
            f"got {int(keep.sum())}"
        )
    (x, m), weight = _collapse(x[keep], m[keep])
    n = weight.sum()

    def neg_ll(log_params):
        p, q, v = np.exp(log_params)
        px = p * x
        s = v + m * x
        ll = (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(s)
        )
        psi_pq = special.digamma(px + q)
        d_p = x * (psi_pq - special.digamma(px) + np.log(m) + np.log(x) - np.log(s))
        d_q = psi_pq - special.digamma(q) + np.log(v) - np.log(s)
        d_v = q / v - (px + q) / s
        grad = np.stack([d_p, d_q, d_v]) @ weight
        return -(weight @ ll) / n, -grad * np.array([p, q, v]) / n

    (p, q, v), ll = _maximise(neg_ll, 3, "Gamma-Gamma")
    if q <= 1:
        raise ClvFitError(f"Gamma-Gamma q = {q:.4f} <= 1: the mean spend is not finite")
    return {
        "p": float(p),
        "q": float(q),
        "v": float(v),
        "log_likelihood": float(ll * n),
        "n": int(n),
    }


def expected_average_order_value(params: dict, frequency, monetary_value) -> np.ndarray:
    """E[mean order value | x, m_x]; customers without repeats get the population mean."""
    x, m = _as_arrays(frequency, monetary_value)
    p, q, v = params["p"], params["q"], params["v"]
    individual = p * (v + x * m) / (p * x + q - 1)
    return np.where(x > 0, individual, p * v / (q - 1))


# --- CLV ----------------------------------------------------------------------------------


def clv(
    bgnbd: dict,
    gamma_gamma: dict,
    frequency,
    recency,
    T,
    monetary_value,
    *,
    months: int = 12,
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    units_per_month: float = 52.0 / 12.0,
) -> np.ndarray:
    """Discounted CLV over `months`: margin x expected order value x the purchases expected in
    each future month, discounted monthly at the equivalent of `annual_discount_rate`.

    `units_per_month` converts months to the model's time unit (weeks by default).
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if annual_discount_rate <= -1:
        raise ValueError("annual_discount_rate must be above -100%")
    monthly_rate = (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0
    value = margin * expected_average_order_value(gamma_gamma, frequency, monetary_value)
    total = np.zeros_like(value)
    previous = np.zeros_like(value)
    for month in range(1, months + 1):
        cumulative = expected_purchases(bgnbd, month * units_per_month, frequency, recency, T)
        total += value * (cumulative - previous) / (1.0 + monthly_rate) ** month
        previous = cumulative
    if not np.all(np.isfinite(total)):
        raise ClvFitError("CLV is not finite for some customers")
    return total
