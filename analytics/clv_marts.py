"""From RFM summaries to the CLV marts: per-customer value, a back-test, value by segment.

Plain pandas in and out (no Dagster, no database): the orchestration reads the dbt models,
calls these functions and writes the frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import clv
from common.business_settings import BusinessSettings


@dataclass(frozen=True)
class ClvSettings:
    """Settings of the CLV marts; the defaults are business settings (`clv_*` vars in
    dbt_project.yml, read by `from_business`), documented in docs/clv.md."""

    horizon_months: int
    annual_discount_rate: float
    margin_rate: float
    at_risk_p_alive: float
    time_unit_days: float

    @classmethod
    def from_business(cls, business: BusinessSettings, **overrides) -> ClvSettings:
        """The business settings' CLV values, with any of them (or the time unit) overridden."""
        defaults = {
            "horizon_months": business.clv_horizon_months,
            "annual_discount_rate": business.clv_annual_discount_rate,
            "margin_rate": business.clv_margin_rate,
            "at_risk_p_alive": business.clv_at_risk_p_alive,
            "time_unit_days": float(business.clv_time_unit_days),
        }
        return cls(**{**defaults, **overrides})

    @property
    def units_per_month(self) -> float:
        return 365.25 / 12.0 / self.time_unit_days

    def validate(self) -> None:
        if self.horizon_months < 1:
            raise ValueError(f"horizon_months must be at least 1, got {self.horizon_months}")
        if not -1 < self.annual_discount_rate < 10:
            raise ValueError(f"annual_discount_rate {self.annual_discount_rate} is not a rate")
        if not 0 < self.margin_rate <= 1:
            raise ValueError(f"margin_rate must be in (0, 1], got {self.margin_rate}")
        if not 0 < self.at_risk_p_alive < 1:
            raise ValueError(f"at_risk_p_alive must be in (0, 1), got {self.at_risk_p_alive}")
        if self.time_unit_days <= 0:
            raise ValueError("time_unit_days must be positive")


@dataclass(frozen=True)
class ClvFit:
    bgnbd: dict
    gamma_gamma: dict


def fit(rfm: pd.DataFrame) -> ClvFit:
    """Fit BG/NBD and Gamma-Gamma on an RFM frame (frequency, recency, t, monetary)."""
    return ClvFit(
        bgnbd=clv.fit_bgnbd(rfm["frequency"], rfm["recency"], rfm["t"]),
        gamma_gamma=clv.fit_gamma_gamma(rfm["frequency"], rfm["average_repeat_value_eur"]),
    )


def score_customers(
    rfm: pd.DataFrame,
    customers: pd.DataFrame,
    settings: ClvSettings,
    latest_nps: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, ClvFit]:
    """One row per customer with p_alive, expected purchases and discounted CLV.

    A customer is at risk when p_alive is below the threshold or their latest NPS answer
    (`latest_nps`: customer_key, nps_group) makes them a detractor.
    """
    settings.validate()
    fitted = fit(rfm)
    x, t_x, big_t = rfm["frequency"], rfm["recency"], rfm["t"]
    m = rfm["average_repeat_value_eur"]
    year = 12 * settings.units_per_month
    common = {
        "annual_discount_rate": settings.annual_discount_rate,
        "margin": settings.margin_rate,
        "units_per_month": settings.units_per_month,
    }
    clv_12 = clv.clv(fitted.bgnbd, fitted.gamma_gamma, x, t_x, big_t, m, months=12, **common)
    clv_horizon = clv.clv(
        fitted.bgnbd, fitted.gamma_gamma, x, t_x, big_t, m, months=settings.horizon_months, **common
    )
    out = rfm[["customer_key"]].merge(
        customers[["customer_key", "segment", "primary_job"]], on="customer_key", how="left"
    )
    out = out.rename(columns={"primary_job": "job"}).fillna(
        {"segment": "unknown", "job": "unknown"}
    )
    out["first_order_on"] = rfm["first_order_on"].to_numpy()
    out["last_order_on"] = rfm["last_order_on"].to_numpy()
    out["frequency"] = x.to_numpy()
    out["recency"] = t_x.to_numpy()
    out["t"] = big_t.to_numpy()
    out["average_order_value_eur"] = rfm["average_order_value_eur"].to_numpy()
    out["historic_revenue_eur"] = rfm["historic_revenue_eur"].astype(float).to_numpy()
    out["historic_margin_eur"] = rfm["historic_margin_eur"].astype(float).to_numpy()
    out["revenue_last_12_months_eur"] = rfm["revenue_last_12_months_eur"].astype(float).to_numpy()
    out["p_alive"] = clv.probability_alive(fitted.bgnbd, x, t_x, big_t)
    out["expected_purchases_12m"] = clv.expected_purchases(fitted.bgnbd, year, x, t_x, big_t)
    out["expected_average_order_value_eur"] = clv.expected_average_order_value(
        fitted.gamma_gamma, x, m
    )
    out["clv_12m_eur"] = clv_12
    out["clv_horizon_eur"] = clv_horizon
    out["clv_horizon_months"] = settings.horizon_months
    # Decile 10 holds the most valuable tenth of customers.
    out["clv_decile"] = (
        pd.qcut(out["clv_horizon_eur"].rank(method="first"), 10, labels=False) + 1
        if len(out) >= 10
        else 1
    )
    groups = (
        latest_nps.set_index("customer_key")["nps_group"]
        if latest_nps is not None and len(latest_nps)
        else pd.Series(dtype=object)
    )
    out["nps_group"] = out["customer_key"].map(groups).astype(object)
    out["nps_group"] = out["nps_group"].where(out["nps_group"].notna(), None)
    out["is_detractor"] = out["nps_group"].eq("detractor")
    out["is_at_risk"] = (out["p_alive"] < settings.at_risk_p_alive) | out["is_detractor"]
    _require_finite(out, ["p_alive", "expected_purchases_12m", "clv_12m_eur", "clv_horizon_eur"])
    return out, fitted


def clv_by_segment(customer_clv: pd.DataFrame) -> pd.DataFrame:
    """Value and value at risk by segment and job.

    Revenue at risk: the last 12 months' revenue of the customers flagged at risk (p_alive below
    the threshold, or a detractor by their latest NPS); CLV at risk: the CLV those customers
    would still bring.
    """
    frame = customer_clv.assign(
        at_risk_revenue=np.where(
            customer_clv["is_at_risk"], customer_clv["revenue_last_12_months_eur"], 0.0
        ),
        at_risk_clv=np.where(customer_clv["is_at_risk"], customer_clv["clv_horizon_eur"], 0.0),
    )
    grouped = frame.groupby(["segment", "job"], as_index=False).agg(
        customers=("customer_key", "count"),
        customers_at_risk=("is_at_risk", "sum"),
        detractors=("is_detractor", "sum"),
        mean_p_alive=("p_alive", "mean"),
        clv_12m_eur=("clv_12m_eur", "sum"),
        clv_horizon_eur=("clv_horizon_eur", "sum"),
        mean_clv_horizon_eur=("clv_horizon_eur", "mean"),
        revenue_last_12_months_eur=("revenue_last_12_months_eur", "sum"),
        revenue_at_risk_eur=("at_risk_revenue", "sum"),
        clv_at_risk_eur=("at_risk_clv", "sum"),
    )
    grouped["customers_at_risk"] = grouped["customers_at_risk"].astype("int64")
    grouped["detractors"] = grouped["detractors"].astype("int64")
    grouped["share_revenue_at_risk"] = grouped["revenue_at_risk_eur"] / grouped[
        "revenue_last_12_months_eur"
    ].where(grouped["revenue_last_12_months_eur"] > 0)
    return grouped.sort_values(["segment", "job"]).reset_index(drop=True)


def backtest(rfm_backtest: pd.DataFrame) -> dict[str, float]:
    """Fit on the calibration window, predict the holdout, compare with what happened."""
    params = clv.fit_bgnbd(rfm_backtest["frequency"], rfm_backtest["recency"], rfm_backtest["t"])
    horizon = float(rfm_backtest["holdout_length"].iloc[0])
    predicted = clv.expected_purchases(
        params, horizon, rfm_backtest["frequency"], rfm_backtest["recency"], rfm_backtest["t"]
    )
    actual = rfm_backtest["holdout_purchases"].to_numpy(dtype=float)
    error = predicted - actual
    correlation = (
        float(np.corrcoef(predicted, actual)[0, 1])
        if np.std(predicted) > 0 and np.std(actual) > 0
        else float("nan")
    )
    return {
        "customers": int(len(actual)),
        "holdout_length": horizon,
        "predicted_purchases": float(predicted.sum()),
        "actual_purchases": float(actual.sum()),
        "total_error_pct": float(100 * (predicted.sum() - actual.sum()) / max(actual.sum(), 1.0)),
        "mean_absolute_error": float(np.abs(error).mean()),
        "rmse": float(np.sqrt((error**2).mean())),
        "correlation": correlation,
        **{f"calibration_{k}": float(v) for k, v in params.items() if k != "n"},
    }


def _require_finite(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        values = frame[column].to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise clv.ClvFitError(f"{column} has NaN or infinite values")
