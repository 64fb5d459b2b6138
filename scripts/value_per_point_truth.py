"""Which value per point is closer to the demo's planted truth: cross-section or within customers.

    .venv/bin/python scripts/value_per_point_truth.py --seeds 30 --customers 20000 [--json out.json]

The truth is a counterfactual. For each seed the demo company is simulated twice: as it is, and
with the effective delivery initiative's effect switched off (`INITIATIVE_LATE_LOGIT_EFFECT = 0`:
no fewer late deliveries). The planted value per point is the value the lasting-value formula
needs to be exact: (margin after the start with the initiative - margin after the start
without it) / (effect x customer-months touched / 12), with the effect the expected change of
the delivery signals (`rox_calibration.hard_truth`) and the customer-months touched those of
the company with the initiative. Both estimates come from `analytics.value_per_point` on the
company with the initiative, over all its months (as the marts compute them). The two runs of a
seed draw different sample paths, so the truth is the ratio of the sums over seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import rox_calibration as calibration  # noqa: E402

from analytics.rox import annual_margin  # noqa: E402
from analytics.rox_initiatives import CustomerWeights  # noqa: E402
from analytics.value_per_point import value_per_point_steps  # noqa: E402
from demo import company as co  # noqa: E402

HORIZON_MONTHS = 3  # dbt var value_per_point_horizon_months' default
EFFECTIVE = next(i for i in co.INITIATIVES if i["initiative_id"] == "INI-01")
START = pd.Timestamp(EFFECTIVE["start_month"] + "-01")


def _margin_orders(company: co.DemoCompany) -> pd.DataFrame:
    orders = company.orders
    live = orders[(orders["status"] == "Activated") & ~orders["returned"]]
    return live.assign(month_start=pd.to_datetime(calibration._month(live["day"].to_numpy())))


def forward_margin(company: co.DemoCompany, horizon: int = HORIZON_MONTHS) -> pd.DataFrame:
    """int_customer_forward_margin of a simulated company: per customer and month from the
    first order, the margin of the next `horizon` months, annualised."""
    orders = company.orders[company.orders["status"] == "Activated"]
    months = pd.date_range(co.START_DATE, periods=co.MONTHS, freq="MS")
    margin = _margin_orders(company).pivot_table(
        index="customer_idx", columns="month_start", values="margin_eur", aggfunc="sum"
    )
    margin = margin.reindex(index=company.customers["customer_idx"], columns=months).fillna(0.0)
    values = margin.to_numpy()
    ahead = np.full_like(values, np.nan)
    for m in range(len(months) - horizon):
        ahead[:, m] = values[:, m + 1 : m + 1 + horizon].sum(axis=1) * 12.0 / horizon
    frame = pd.DataFrame(
        {
            "customer_id": np.repeat(margin.index.to_numpy("int64") + 1, len(months)),
            "month_start": np.tile(months.to_numpy(), len(margin)),
            "forward_margin_annual_eur": ahead.ravel(),
        }
    )
    # From the customer's first order month on (int_customer_months' rows), full horizons only.
    first_day = orders.groupby("customer_idx")["day"].min()
    first = pd.Series(pd.to_datetime(calibration._month(first_day.to_numpy())), first_day.index + 1)
    keep = frame["month_start"] >= frame["customer_id"].map(first)
    return frame[keep & frame["forward_margin_annual_eur"].notna()].reset_index(drop=True)


def run_seed(seed: int, customers: int) -> dict:
    company = co.simulate(customers, seed)
    data = calibration.inputs(company, np.random.default_rng([seed, 1]))
    previous = co.INITIATIVE_LATE_LOGIT_EFFECT
    co.INITIATIVE_LATE_LOGIT_EFFECT = 0.0
    try:
        without = co.simulate(customers, seed)
    finally:
        co.INITIATIVE_LATE_LOGIT_EFFECT = previous

    def margin_after(c):
        orders = _margin_orders(c)
        return float(orders.loc[orders["month_start"] >= START, "margin_eur"].sum())

    signals = data["signals"]
    delivery = signals[(signals["touchpoint"] == "delivery") & (signals["month_start"] >= START)]
    touched = float(delivery.groupby("month_start")["customer_id"].nunique().sum())
    clv = data["customers"]
    settings = calibration.SETTINGS
    clv = clv.assign(annual_margin_eur=annual_margin(clv, settings))
    ids = np.concatenate([data["scores"]["customer_id"], clv["customer_id"]])
    _, steps, n_within = value_per_point_steps(
        data["scores"], clv, forward_margin(company), "touchpoint_id", "delivery",
        CustomerWeights(ids, seed, 0),
    )  # fmt: skip
    return {
        "seed": seed,
        "margin_gain_eur": margin_after(company) - margin_after(without),
        "effect_points": calibration.hard_truth(company, signals),
        "customer_years_touched": touched / 12.0,
        "cross_section_eur": float(steps["value_per_point_cross_section_eur"][0]),
        "within_eur": float(steps["value_per_point_within_eur"][0]),
        "within_customers": n_within,
    }


def summarise(runs: pd.DataFrame) -> dict:
    """The planted value per point (ratio of sums over seeds) and each estimate's mean and
    mean absolute error against it; `closer_in` counts seeds where the estimate is nearer."""
    truth = (
        runs["margin_gain_eur"].sum()
        / (runs["effect_points"] * runs["customer_years_touched"]).sum()
    )
    out = {"seeds": len(runs), "truth_eur": float(truth)}
    for name in ("cross_section", "within"):
        estimate = runs[f"{name}_eur"]
        out[f"{name}_mean_eur"] = float(estimate.mean())
        out[f"{name}_mean_abs_error_eur"] = float((estimate - truth).abs().mean())
    nearer = (runs["cross_section_eur"] - truth).abs() < (runs["within_eur"] - truth).abs()
    out["cross_section_closer_in"] = int(nearer.sum())
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    runs = []
    for seed in range(args.seeds):
        runs.append(run_seed(seed, args.customers))
        print(f"seed {seed}: done", file=sys.stderr, flush=True)
    summary = summarise(pd.DataFrame(runs))
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, default=float) + "\n")


if __name__ == "__main__":
    main()
