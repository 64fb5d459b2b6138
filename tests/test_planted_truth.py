"""On the default demo company (5,000 customers, seed 42) the analytics recover the planted truth.

The small company of the other end-to-end tests is too small for driver analysis (about a
hundred NPS answers); this builds the company `make demo` builds, once.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo.generate import DEFAULT_CUSTOMERS, DEFAULT_SEED, generate
from tests.conftest import Demo, demo_review_server
from tests.test_end_to_end import _env, _run_daily_refresh

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def default_demo(dbt_manifest, tmp_path_factory) -> tuple[Demo, Path]:
    root = tmp_path_factory.mktemp("planted")
    landing = root / "landing"
    generate(DEFAULT_CUSTOMERS, DEFAULT_SEED, landing)
    demo = Demo(landing, json.loads((landing / "ground_truth.json").read_text()))
    env = _env(root, landing)
    with demo_review_server(demo) as server:
        env["ROX_REVIEW_API_URL"] = server.url
        env["ROX_REVIEW_API_KEY"] = server.api_key
        env["ROX_REVIEW_BUSINESS_UNITS"] = ",".join(server.business_units)
        result = _run_daily_refresh(env, dg.DagsterInstance.ephemeral())
    assert result.success
    return demo, Path(env["ROX_WAREHOUSE"])


def test_the_strongest_driver_ranks_first_and_the_pain_point_is_a_top_opportunity(
    default_demo,
) -> None:
    demo, warehouse = default_demo
    with duckdb.connect(str(warehouse), read_only=True) as con:
        importance = con.execute(
            "select driver, importance_pct, importance_pct_ci_low, quadrant "
            "from marts.driver_importance where outcome = 'likelihood_to_recommend' "
            "order by importance_rank"
        ).df()
        opportunities = con.execute(
            "select touchpoint_id, sum(opportunity_score) as score from marts.opportunity_map "
            "group by touchpoint_id order by score desc"
        ).df()
    strongest, pain = demo.truth["strongest_driver_touchpoint"], demo.truth["pain_touchpoint"]
    assert importance.iloc[0]["driver"] == strongest
    assert importance.iloc[0]["importance_pct_ci_low"] > importance.iloc[1]["importance_pct"]
    assert importance.set_index("driver").loc[pain, "quadrant"] == "fix"
    assert list(opportunities["touchpoint_id"][:2]).count(pain) == 1


def test_heatmap_and_clv_follow_the_planted_truth(default_demo) -> None:
    demo, warehouse = default_demo
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = dict(
            con.execute(
                "select touchpoint_id, sum(case when heat_label = 'pain' then volume else 0 end)"
                " / sum(volume) from marts.journey_heatmap where segment = 'all' group by 1"
            ).fetchall()
        )
        moments = {
            r[0]
            for r in con.execute(
                "select distinct touchpoint_id from marts.journey_heatmap "
                "where is_moment_that_matters"
            ).fetchall()
        }
    assert max(labels, key=labels.get) == demo.truth["pain_touchpoint"]
    assert demo.truth["strongest_driver_touchpoint"] in moments
