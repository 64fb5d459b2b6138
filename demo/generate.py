"""Generate the demo company's source files and its ground truth.

    python -m demo.generate --customers 5000 --seed 42 [--landing-dir DIR]

Writes the CRM exports under `<landing>/crm/`, `<landing>/ground_truth.json` (the planted
causal structure and what it produced) and `<landing>/ground_truth_customers.parquet` (the
hidden per-customer truth, for tests of the analytics; never loaded into the warehouse).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from common.settings import DBT_PROJECT_DIR, landing_dir
from demo import company as co
from demo import feedback
from demo.app_store_exports import write_app_store_json, write_google_play_csv
from demo.crm_export import people, write_crm_exports
from demo.voice_exports import (
    BUSINESS_UNIT_ID,
    app_store_frames,
    trustpilot_reviews,
    write_survey_exports,
)

DEFAULT_CUSTOMERS = 5000
DEFAULT_SEED = 42
# The demo company reaches 2% of the people who could buy from it: at the default 5,000
# customers that is the business setting's documented default (250,000), and the market grows
# with the company, so penetration stays a share (it passed 1 at 1,000,000 customers).
MARKET_PER_CUSTOMER = 50


def addressable_market(customers: int) -> int:
    """The addressable market (`addressable_market_customers`) of a company this size."""
    return MARKET_PER_CUSTOMER * customers


def _measured_truth(company: co.DemoCompany) -> dict:
    """Effects the simulation actually produced, so tests compare with facts, not intentions."""
    customers, orders = company.customers, company.orders
    live = orders[orders["status"] == "Activated"]
    effective = next(i for i in co.INITIATIVES if i["effective"] and i["investment_kind"] == "hard")
    start = co._month_start_day(effective["start_month"])
    tercile = pd.qcut(customers["experience_z"], 3, labels=["poor", "middle", "good"])
    by_tercile = customers.assign(tercile=tercile).groupby("tercile", observed=True)
    live_tercile = tercile.to_numpy()[live["customer_idx"].to_numpy()]
    return {
        "late_delivery_rate_before_effective_initiative": float(
            live[live["day"] < start]["late"].mean()
        ),
        "late_delivery_rate_after_effective_initiative": float(
            live[live["day"] >= start]["late"].mean()
        ),
        "dropout_share_by_experience_tercile": {
            str(k): float(v) for k, v in by_tercile["dropped_out"].mean().items()
        },
        "mean_order_value_eur_by_experience_tercile": {
            str(k): float(v) for k, v in live.groupby(live_tercile)["amount_eur"].mean().items()
        },
        "late_delivery_rate_by_territory": {
            str(t): float(v)
            for t, v in live.groupby(
                customers["territory"].to_numpy()[live["customer_idx"].to_numpy()]
            )["late"]
            .mean()
            .items()
        },
        "touchpoint_mean_quality_observed": {
            str(t): float(customers[f"quality_{t}"].mean()) for t in co.TOUCHPOINTS
        },
        **feedback.planted_soft_effects(company),
    }


def _write_reviews(company: co.DemoCompany, out_dir: Path, rng: np.random.Generator) -> dict:
    """App-store exports to land, and the review API server's data (not a landing folder)."""
    apps = app_store_frames(company, rng)
    month = str(co.START_DATE + company.days - 1)[:7].replace("-", "")
    play = out_dir / "reviews" / f"reviews_com.hearthco.shop_{month}.csv"
    store = out_dir / "reviews" / f"app_store_reviews_{month}.json"
    play.parent.mkdir(parents=True, exist_ok=True)
    write_google_play_csv(apps["google_play"], play)
    write_app_store_json(apps["app_store"], store)
    api = trustpilot_reviews(company, rng)
    api_file = out_dir / "demo_api" / "trustpilot_reviews.json"
    api_file.parent.mkdir(parents=True, exist_ok=True)
    api_file.write_text(json.dumps({BUSINESS_UNIT_ID: api}, ensure_ascii=False) + "\n")
    return {
        f"reviews/{play.name}": len(apps["google_play"]),
        f"reviews/{store.name}": len(apps["app_store"]),
        "demo_api/trustpilot_reviews.json": len(api),
    }


def _write_ledger(n_customers: int, out_dir: Path) -> dict:
    """The company's investment ledger, costs scaled to its size, in the seeds' layout
    (`ledger/initiatives.csv`, `ledger/actions.csv`): what this company's business maintains
    (docs/rox.md, "The ledger of a generated company")."""
    seeds = DBT_PROJECT_DIR / "seeds"
    frames = co.ledger(
        n_customers,
        pd.read_csv(seeds / "initiatives.csv", dtype=str).astype({"cost_per_month_eur": float}),
        pd.read_csv(seeds / "actions.csv", dtype=str).astype({"estimated_cost_eur": float}),
    )
    folder = out_dir / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return {f"ledger/{name}.csv": len(frame) for name, frame in frames.items()}


def generate(n_customers: int, seed: int, out_dir: Path) -> dict:
    """Simulate the company and write every source file; return the ground truth written."""
    started = time.perf_counter()
    company = co.simulate(n_customers, seed)
    simulated_s = time.perf_counter() - started
    files = {f"crm/{k}": v for k, v in write_crm_exports(company, out_dir / "crm").items()}
    # Feedback draws from its own stream, so adding a source never changes the CRM files.
    voice_rng = np.random.default_rng([seed, 1])
    contacts = people(company)
    surveys = write_survey_exports(company, contacts, out_dir / "surveys", voice_rng)
    files.update({f"surveys/{k}": v for k, v in surveys.items()})
    files.update(_write_reviews(company, out_dir, voice_rng))
    files.update(_write_ledger(n_customers, out_dir))
    end_date = co.START_DATE + company.days
    truth = {
        "seed": seed,
        "customers": n_customers,
        # The business setting a run of this company overrides (demo.run, the benchmark).
        "addressable_market_customers": addressable_market(n_customers),
        "start_date": str(co.START_DATE),
        "end_date_exclusive": str(end_date),
        **co.TRUTH,
        "touchpoints": [
            {"touchpoint": str(t), "stage": co.TOUCHPOINT_STAGE[str(t)]} for t in co.TOUCHPOINTS
        ],
        "jobs": [str(j) for j in co.JOBS],
        "segments": [str(s) for s in co.SEGMENTS],
        "loyalty_weights": {
            str(t): float(w) for t, w in zip(co.TOUCHPOINTS, co.LOYALTY_WEIGHTS, strict=True)
        },
        "touchpoint_mean_quality": {
            str(t): float(m)
            for t, m in zip(co.TOUCHPOINTS, co.TOUCHPOINT_MEAN_QUALITY, strict=True)
        },
        "initiatives": co.INITIATIVES,
        "measured": _measured_truth(company),
        "review_business_unit_id": BUSINESS_UNIT_ID,
        "files": dict(sorted(files.items())),
    }
    (out_dir / "ground_truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    with duckdb.connect() as con:
        con.register("hidden", company.customers.drop(columns=["job_idx"]))
        path = str(out_dir / "ground_truth_customers.parquet").replace("'", "''")
        con.execute(
            "copy (select *, '001Dm' || lpad(customer_idx::varchar, 10, '0') || 'AAA' "
            f"as account_id from hidden) to '{path}' (format parquet)"
        )
    truth["timings_s"] = {
        "simulate": round(simulated_s, 3),
        "total": round(time.perf_counter() - started, 3),
    }
    return truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--landing-dir", type=Path, default=None, help="default: $ROX_LANDING_DIR")
    args = parser.parse_args(argv)
    out_dir = args.landing_dir or landing_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = generate(args.customers, args.seed, out_dir)
    rows = sum(truth["files"].values())
    print(
        f"demo company: {args.customers:,} customers, {rows:,} rows in "
        f"{len(truth['files'])} files under {out_dir} ({truth['timings_s']['total']:.1f} s)"
    )


if __name__ == "__main__":
    main()
