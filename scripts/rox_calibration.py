"""Calibration of ROX's intervals: how often each 95% interval covers the planted effect.

    .venv/bin/python scripts/rox_calibration.py --seeds 30 --customers 3000 [--json out.json]

Runs the demo company over many seeds and computes ROX from the generated data directly (the
compact inputs the dbt models build, assembled here from the simulation at a smaller size)
with the functions the marts use (`analytics.rox_marts.rox_by_initiative`). Planted effects:

- hard, effective (INI-01): the expected change of the delivery signals (on-time 100/0 and
  delivery CSAT/CES on 0-100) from the lower chance of a late delivery, over the signals after
  its start;
- hard placebo (INI-02) and soft placebo (INI-04): 0 (effect and value);
- soft, effective (INI-03): the EX step (`planted_soft_effects`, exact expectation) and the CX
  step (the support answers' expected change x their share of the support signals).

Not a test (it takes minutes); `tests/scripts/test_rox_calibration.py` (slow) runs a few
seeds. Figures are reported in docs/rox.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.rox import Initiative, RoxSettings  # noqa: E402
from analytics.rox_marts import rox_by_initiative  # noqa: E402
from demo import company as co  # noqa: E402
from demo import feedback  # noqa: E402

SETTINGS = RoxSettings(cx_weights={"nps": 1.0}, baseline_months=12, bootstrap_samples=200)


def _month(day: np.ndarray) -> np.ndarray:
    return (co.START_DATE + np.asarray(day).astype("timedelta64[D]")).astype("datetime64[M]")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def inputs(company: co.DemoCompany, rng: np.random.Generator) -> dict:
    """The compact inputs of ROX (as the dbt models build them) from a simulated company."""
    surveys = feedback.touchpoint_surveys(rng, company)
    pulse = feedback.employee_pulse(rng, company)
    answers = pd.concat(
        [
            surveys.assign(score=(surveys["csat"] - 1) * 25.0, source="survey"),
            surveys.assign(score=(surveys["ces"] - 1) * 100.0 / 6.0, source="survey"),
        ]
    )[["customer_idx", "day", "touchpoint", "score", "source"]]
    orders = company.orders
    delivered = orders[(orders["status"] == "Activated") & (orders["delivered_day"] >= 0)]
    on_time = pd.DataFrame(
        {
            "customer_idx": delivered["customer_idx"],
            "day": delivered["delivered_day"],
            "touchpoint": "delivery",
            "score": np.where(delivered["late"], 0.0, 100.0),
            "source": "order_event",
        }
    )
    tickets = company.tickets
    reply = pd.DataFrame(
        {
            "customer_idx": tickets["customer_idx"],
            "day": tickets["created_second"] // 86400,
            "touchpoint": "support",
            "score": np.clip((480 - tickets["first_reply_minutes"]) / 420 * 100, 0, 100),
            "source": "ticket",
        }
    )
    signals = pd.concat([answers, on_time, reply], ignore_index=True)
    signals = signals[signals["day"] < company.days]
    signals["month_start"] = pd.to_datetime(_month(signals["day"].to_numpy()))
    signals["customer_id"] = signals["customer_idx"].astype("int64") + 1
    customers = company.customers
    scores = (
        signals.groupby(["customer_id", "month_start", "touchpoint"])["score"]
        .agg(scores="size", score_sum_0_100="sum")
        .reset_index()
        .rename(columns={"touchpoint": "touchpoint_id"})
    )
    ids = scores["customer_id"].to_numpy() - 1
    for column, source in (("job_id", "job"), ("segment", "segment")):
        scores[column] = customers[source].to_numpy()[ids]
    scores["value_stream_id"] = "all"
    live = orders[(orders["status"] == "Activated") & ~orders["returned"]]
    margin = live.groupby("customer_idx")["margin_eur"].sum()
    clv = pd.DataFrame(
        {
            "customer_id": customers["customer_idx"].to_numpy() + 1,
            "historic_margin_eur": margin.reindex(customers["customer_idx"]).fillna(0).to_numpy(),
            "tenure_weeks": (company.days - customers["acquired_day"].to_numpy()) / 7.0,
        }
    )
    ex = np.where(pulse["enps"] >= 9, 100.0, np.where(pulse["enps"] >= 7, 50.0, 0.0))
    team_pulse = (
        pulse.assign(
            month_start=pd.to_datetime(_month(pulse["day"].to_numpy())),
            employee_key=pulse["employee_idx"].astype(str),
            ex=ex,
        )
        .groupby(["team", "month_start", "employee_key"])["ex"]
        .agg(answers="size", ex_score_sum_0_100="sum")
        .reset_index()
    )
    return {"scores": scores, "customers": clv, "pulse": team_pulse, "signals": signals}


def hard_truth(company: co.DemoCompany, signals: pd.DataFrame) -> float:
    """Expected change of the delivery signals after the effective hard initiative's start."""
    effective = next(i for i in co.INITIATIVES if i["initiative_id"] == "INI-01")
    start = pd.Timestamp(effective["start_month"] + "-01")
    q = company.customers["quality_delivery"].to_numpy()
    # The estimand of the pooled difference in differences: every delivery signal after.
    post = signals[(signals["touchpoint"] == "delivery") & (signals["month_start"] >= start)]
    qi = q[post["customer_idx"].to_numpy()]
    dp = _sigmoid(-1.3 - qi) - _sigmoid(-1.3 - qi - co.INITIATIVE_LATE_LOGIT_EFFECT)
    on_time_gain = 100.0 * dp
    base = 0.4 * qi + 1.2

    def expected(mean, sd, low, high, to_0_100):
        return to_0_100(feedback._expected_bounded(mean, sd, low, high))

    csat = expected(3.4 + base, 0.7, 1, 5, lambda v: (v - 1) * 25) - expected(
        3.4 + base - 2.6, 0.7, 1, 5, lambda v: (v - 1) * 25
    )
    ces = expected(5.0 + 1.1 * base, 0.9, 1, 7, lambda v: (v - 1) * 100 / 6) - expected(
        5.0 + 1.1 * (base - 2.6), 0.9, 1, 7, lambda v: (v - 1) * 100 / 6
    )
    survey = np.where(post["source"].to_numpy() == "survey", dp * (csat + ces) / 2, 0.0)
    # A survey row is one of its two answers (CSAT, CES): their mean gain per answer.
    gain = np.where(post["source"].to_numpy() == "survey", survey, on_time_gain)
    return float(gain.mean())


def run_seed(seed: int, customers: int) -> dict:
    company = co.simulate(customers, seed)
    data = inputs(company, np.random.default_rng([seed, 1]))
    scale = customers / co.REFERENCE_CUSTOMERS
    initiatives = [
        Initiative(
            i["initiative_id"],
            i["name"],
            "touchpoint",
            i["touchpoint"],
            i["investment_kind"],
            i["cost_per_month_eur"] * scale,
            pd.Timestamp(i["start_month"] + "-01"),
        )  # fmt: skip
        for i in co.INITIATIVES
    ]
    rows, portfolio, _ = rox_by_initiative(
        data["scores"], data["customers"], initiatives, SETTINGS, data["pulse"],
        feedback.TEAM_OF_TOUCHPOINT,
    )  # fmt: skip
    rows = rows.set_index("initiative_id")
    planted = feedback.planted_soft_effects(company)
    signals = data["signals"]
    lag_start = pd.Timestamp("2025-10-01") + pd.DateOffset(months=co.EX_TO_CX_LAG_MONTHS)
    support = signals[(signals["touchpoint"] == "support") & (signals["month_start"] >= lag_start)]
    share = float((support["source"] == "survey").mean())

    def covers(initiative, low, high, value):
        row = rows.loc[initiative]
        return bool(row[low] < value < row[high])

    return {
        "seed": seed,
        "hard effective: CX effect": covers(
            "INI-01", "effect_ci_low", "effect_ci_high", hard_truth(company, signals)
        ),
        "hard placebo: CX effect 0": covers("INI-02", "effect_ci_low", "effect_ci_high", 0.0),
        "hard placebo: value 0": covers(
            "INI-02", "attributable_value_ci_low", "attributable_value_ci_high", 0.0
        ),
        "soft effective: EX effect": covers(
            "INI-03", "ex_effect_ci_low", "ex_effect_ci_high", planted["soft_ex_effect_0_100"]
        ),
        "soft effective: CX effect": covers(
            "INI-03",
            "effect_ci_low",
            "effect_ci_high",
            planted["soft_support_answer_effect_0_100"] * share,
        ),
        "soft placebo: EX effect 0": covers("INI-04", "ex_effect_ci_low", "ex_effect_ci_high", 0.0),
        "soft placebo: value 0": covers(
            "INI-04", "attributable_value_ci_low", "attributable_value_ci_high", 0.0
        ),
        "portfolio rox": float(portfolio.set_index("investment_kind").loc["all", "rox"]),
        "estimates": {
            "soft_ex": [
                rows.loc["INI-03", c]
                for c in ("ex_effect_ci_low", "ex_effect_points", "ex_effect_ci_high")
            ],
            "soft_ex_truth": planted["soft_ex_effect_0_100"],
            "soft_cx": [
                rows.loc["INI-03", c] for c in ("effect_ci_low", "effect_points", "effect_ci_high")
            ],
            "soft_cx_truth": planted["soft_support_answer_effect_0_100"] * share,
            "hard_cx": [
                rows.loc["INI-01", c] for c in ("effect_ci_low", "effect_points", "effect_ci_high")
            ],
            "hard_cx_truth": hard_truth(company, signals),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = []
    for seed in range(args.seeds):
        results.append(run_seed(seed, args.customers))
        print(f"seed {seed}: done", file=sys.stderr, flush=True)
    frame = pd.DataFrame(results).set_index("seed")
    coverage = frame.drop(columns=["portfolio rox", "estimates"]).mean()
    print(f"{args.seeds} seeds, {args.customers:,} customers; share of 95% intervals covering:")
    for name, share in coverage.items():
        print(f"  {name:32s} {share:6.1%}")
    if args.json:
        args.json.write_text(
            json.dumps({"coverage": coverage.to_dict(), "runs": results}, default=float) + "\n"
        )


if __name__ == "__main__":
    main()
