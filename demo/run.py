"""Materialise every asset of the demo, with the demo review API serving on loopback.

    python -m demo.run [--log FILE]

Starts `demo.review_api.ReviewApiServer` on a free 127.0.0.1 port with the generated reviews
(rate limiting on, so the client's backoff is exercised), points ROX_REVIEW_API_URL,
ROX_REVIEW_API_KEY and ROX_REVIEW_BUSINESS_UNITS at it, runs the job `daily_refresh` (every
asset) with `dg launch` for the last day's partition and the company's run config (its
addressable market, from ground_truth.json), and stops the server. The key is made up for the
run and never printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from common.settings import REPO_ROOT, landing_dir
from demo.review_api import ReviewApiServer

REVIEWS_FILE = Path("demo_api") / "trustpilot_reviews.json"


def run_config(landing: Path) -> dict:
    """The run config a run of the generated company needs: its addressable market, a business
    setting whose default (dbt_project.yml) is sized for the default company."""
    truth = json.loads((landing / "ground_truth.json").read_text())
    market = truth.get("addressable_market_customers")  # absent from older generated data
    if market is None:
        return {}
    overrides = {"addressable_market_customers": int(market)}
    return {"resources": {"business_settings": {"config": overrides}}}


def last_day(landing: Path) -> str:
    """The last day of the generated data (from the ground truth the generator writes)."""
    truth = json.loads((landing / "ground_truth.json").read_text())
    end = dt.date.fromisoformat(truth["end_date_exclusive"])
    return (end - dt.timedelta(days=1)).isoformat()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=None, help="write Dagster's output here")
    args = parser.parse_args(argv)
    source = landing_dir() / REVIEWS_FILE
    if not source.exists():
        raise SystemExit(f"{source} is missing: run `python -m demo.generate` first")
    reviews = json.loads(source.read_text())
    api_key = secrets.token_urlsafe(24)
    dg = str(Path(sys.executable).parent / "dg")
    # The daily facts are partitioned by day: the run builds the last day of the demo data (a
    # first build covers every date anyway).
    command = [
        dg, "launch", "--job", "daily_refresh", "--partition", last_day(landing_dir()),
        "--config-json", json.dumps(run_config(landing_dir())),
    ]  # fmt: skip
    with ReviewApiServer(reviews, api_key=api_key, rate_limit_every=5, retry_after_s=0.2) as server:
        env = {
            **os.environ,
            # `dg` runs the project's venv; naming it active keeps it from warning.
            "VIRTUAL_ENV": str(Path(sys.executable).parent.parent),
            "ROX_REVIEW_API_URL": server.url,
            "ROX_REVIEW_API_KEY": api_key,
            "ROX_REVIEW_BUSINESS_UNITS": ",".join(reviews),
        }
        if args.log:
            args.log.parent.mkdir(parents=True, exist_ok=True)
            with args.log.open("w") as log:
                result = subprocess.run(
                    command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
                )
        else:
            result = subprocess.run(command, env=env, cwd=REPO_ROOT)
        served = server.request_count
    print(f"review API: {served} requests served on loopback (rate limited every 5th)")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
