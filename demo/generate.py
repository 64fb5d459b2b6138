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
import pandas as pd

from demo import company as co
from demo.crm_export import write_crm_exports
from ingest.settings import landing_dir

DEFAULT_CUSTOMERS = 5000
DEFAULT_SEED = 42


def _measured_truth(company: co.DemoCompany) -> dict:
    """Effects the simulation actually produced, so tests compare with facts, not intentions."""
    customers, orders = company.customers, company.orders
    live = orders[orders["status"] == "Activated"]
    effective = next(i for i in co.INITIATIVES if i["effective"])
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
        "touchpoint_mean_quality_observed": {
            str(t): float(customers[f"quality_{t}"].mean()) for t in co.TOUCHPOINTS
        },
    }


def generate(n_customers: int, seed: int, out_dir: Path) -> dict:
    """Simulate the company and write every source file; return the ground truth written."""
    started = time.perf_counter()
    company = co.simulate(n_customers, seed)
    simulated_s = time.perf_counter() - started
    files = write_crm_exports(company, out_dir / "crm")
    end_date = co.START_DATE + company.days
    truth = {
        "seed": seed,
        "customers": n_customers,
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
        "files": {f"crm/{name}": rows for name, rows in sorted(files.items())},
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
        f"{len(truth['files'])} CRM files under {out_dir} ({truth['timings_s']['total']:.1f} s)"
    )


if __name__ == "__main__":
    main()
