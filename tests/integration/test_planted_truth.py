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
from tests.helpers import Demo, demo_review_server, pipeline_env, run_daily_refresh

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def default_demo(dbt_manifest, tmp_path_factory) -> tuple[Demo, Path]:
    root = tmp_path_factory.mktemp("planted")
    landing = root / "landing"
    generate(DEFAULT_CUSTOMERS, DEFAULT_SEED, landing)
    demo = Demo(landing, json.loads((landing / "ground_truth.json").read_text()))
    env = pipeline_env(root, landing)
    with demo_review_server(demo) as server:
        env["ROX_REVIEW_API_URL"] = server.url
        env["ROX_REVIEW_API_KEY"] = server.api_key
        env["ROX_REVIEW_BUSINESS_UNITS"] = ",".join(server.business_units)
        result = run_daily_refresh(env, dg.DagsterInstance.ephemeral())
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


def test_the_okr_on_the_improved_touchpoint_is_on_track(default_demo) -> None:
    """The effective initiative lifts on-time delivery: its key result trends on track."""
    _, warehouse = default_demo
    with duckdb.connect(str(warehouse), read_only=True) as con:
        progress = con.execute(
            "select period_start, actual, progress, expected_progress, status "
            "from marts.okr_progress where key_result_id = 'KR-DELIVER-1' order by period_start"
        ).df()
        objective = con.execute(
            "select status from marts.okr_objective_progress where objective_id = 'O-DELIVER' "
            "order by period_start desc limit 1"
        ).fetchall()[0][0]
    latest = progress.iloc[-3:]
    assert (latest["status"] == "on track").all()
    assert (latest["actual"] > 88).all()  # baseline 82 before the initiative
    assert progress["actual"].mean() > 82 + 8
    assert objective == "on track"


def test_rox_finds_the_effective_initiative_and_not_the_placebo(default_demo) -> None:
    demo, warehouse = default_demo
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rox = con.execute("select * from marts.rox_by_initiative").df().set_index("initiative_id")
        company = con.execute(
            "select count(*), count(cx_index), count(ex_index) from marts.rox_score "
            "where scope_type = 'company'"
        ).fetchall()[0]
    effective = rox.loc[demo.truth["effective_initiative_id"]]
    placebo = rox.loc[demo.truth["placebo_initiative_id"]]
    assert effective["rox"] > 0 and effective["rox_ci_low"] > 0
    assert effective["effect_ci_low"] > 0
    # The placebo changed nothing: its effect and the value it returned are indistinguishable
    # from zero (its ROX is then about -1: the money spent came back as nothing).
    assert placebo["effect_ci_low"] < 0 < placebo["effect_ci_high"]
    assert placebo["attributable_value_ci_low"] < 0 < placebo["attributable_value_ci_high"]
    assert placebo["rox_ci_high"] < 0
    assert company[0] >= 23 and company[1] >= 23 and company[2] >= 23
