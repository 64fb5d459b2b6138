"""The planted drivers keep their priority quadrant when the company grows from 5,000 to 50,000
customers (issue 21): the quadrant follows the lower bound of the importance interval, so more
answers narrow the interval without moving a driver across the line.

Only the driver analysis' inputs are built (staging, the text signals, the intermediate models
under int_customer_touchpoint_scores and int_customer_outcomes), then the analysis the
`driver_marts` asset runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import driver_marts as dm
from common.business_settings import load_business_settings
from demo.generate import DEFAULT_SEED, generate
from tests.helpers import STAGED_BUILD, Demo, build_warehouse, load_demo_raw

pytestmark = pytest.mark.e2e

DRIVER_INPUTS = (
    *STAGED_BUILD[:2],
    (
        "--select",
        "+int_customer_touchpoint_scores",
        "+int_customer_outcomes",
        "--exclude",
        "resource_type:seed",
        "path:models/staging",
    ),
)


def _recommendation_drivers(root: Path, customers: int) -> pd.DataFrame:
    landing = root / "landing"
    generate(customers, DEFAULT_SEED, landing)
    demo = Demo(landing, json.loads((landing / "ground_truth.json").read_text()))
    warehouse = root / "warehouse" / "rox.duckdb"
    warehouse.parent.mkdir(parents=True)
    load_demo_raw(warehouse, demo, root / "archive")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(warehouse))
        built = build_warehouse(steps=DRIVER_INPUTS)
    assert built.returncode == 0, built.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores = con.execute(
            "select customer_id, touchpoint_id, signals, driver_scores, driver_score_sum_0_100 "
            "from intermediate.int_customer_touchpoint_scores "
            "order by customer_id, month_start, touchpoint_id"
        ).df()
        outcomes = con.execute(
            "select * from intermediate.int_customer_outcomes order by customer_id"
        ).df()
    outcomes = outcomes.assign(customer_id=outcomes["customer_id"].astype("int64"))
    drivers = dm.driver_matrix(scores)
    importance = dm.driver_importance(
        drivers,
        outcomes.set_index("customer_id"),
        dm.touchpoint_performance(scores),
        min_n=load_business_settings().min_answers_survey_metric,
    )
    return importance[importance["outcome"] == "likelihood_to_recommend"].set_index("driver")


def test_the_planted_drivers_keep_their_quadrant_from_5000_to_50000_customers(
    dbt_manifest, tmp_path
) -> None:
    small = _recommendation_drivers(tmp_path / "small", 5_000)
    large = _recommendation_drivers(tmp_path / "large", 50_000)
    truth = json.loads((tmp_path / "small" / "landing" / "ground_truth.json").read_text())
    for driver in (truth["strongest_driver_touchpoint"], truth["pain_touchpoint"]):
        assert small.loc[driver, "quadrant"] == large.loc[driver, "quadrant"], driver
    # Ten times the customers narrow the intervals: the same quadrant is a firmer call.
    width = small["importance_pct_ci_high"] - small["importance_pct_ci_low"]
    narrower = large["importance_pct_ci_high"] - large["importance_pct_ci_low"]
    assert (narrower.reindex(width.index) < width).all()
