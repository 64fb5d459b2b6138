"""On the default demo company (5,000 customers, seed 42) the analytics recover the planted truth.

The small company of the other end-to-end tests is too small for driver analysis (about a
hundred NPS answers); this builds the company `make demo` builds, once.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
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
            "select driver, importance_pct, importance_pct_ci_low, importance_pct_ci_high, "
            "performance_0_100, quadrant "
            "from marts.driver_importance where outcome = 'likelihood_to_recommend' "
            "order by importance_rank"
        ).df()
        opportunities = con.execute(
            "select touchpoint_id, sum(opportunity_score) as score from marts.opportunity_map "
            "where scope_type = 'job' group by touchpoint_id order by score desc"
        ).df()
    strongest, pain = demo.truth["strongest_driver_touchpoint"], demo.truth["pain_touchpoint"]
    assert importance.iloc[0]["driver"] == strongest
    assert importance.iloc[0]["importance_pct_ci_low"] > importance.iloc[1]["importance_pct"]
    # The pain point performs worst and its importance interval reaches above the mean
    # importance. Its point estimate sits near that mean, so its quadrant follows the
    # interval's lower bound, never the point: fix only once the bound clears the mean.
    by_driver = importance.set_index("driver")
    line = 100 / len(by_driver)
    assert by_driver["performance_0_100"].idxmin() == pain
    assert by_driver.loc[pain, "importance_pct_ci_high"] > line
    pain_is_important = by_driver.loc[pain, "importance_pct_ci_low"] > line
    assert by_driver.loc[pain, "quadrant"] == ("fix" if pain_is_important else "monitor")
    assert by_driver.loc[strongest, "quadrant"] in ("fix", "leverage")
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


def test_the_weak_delivery_territory_shows_in_heatmap_metrics_and_opportunities(
    default_demo,
) -> None:
    """The planted territory delivers late more often: its delivery cells score lowest of all
    territories and its on-time rate is the lowest, while the company's late rate is as before."""
    demo, warehouse = default_demo
    weak = demo.truth["weak_delivery_territory"]
    late = demo.truth["measured"]["late_delivery_rate_by_territory"]
    assert max(late, key=late.get) == weak
    with duckdb.connect(str(warehouse), read_only=True) as con:
        delivery = dict(
            con.execute(
                "select scope_id, sum(mean_score_0_100 * scored_volume) / sum(scored_volume) "
                "from marts.journey_heatmap where scope_type = 'territory' "
                "and touchpoint_id = 'delivery' and mean_score_0_100 is not null group by 1"
            ).fetchall()
        )
        on_time = dict(
            con.execute(
                "select scope_id, sum(value * n) / sum(n) from marts.metric_values "
                "where metric = 'on_time_delivery' and scope_type = 'territory' "
                "and period_grain = 'month' and value is not null group by 1"
            ).fetchall()
        )
        moments = con.execute(
            "select scope_id, performance_0_100, importance_source from marts.moments_that_matter "
            "where scope_type = 'territory' and touchpoint_id = 'delivery'"
        ).df()
        opportunities = con.execute(
            "select scope_id, performance_gap, is_suppressed, importance_source "
            "from marts.opportunity_map where scope_type = 'territory' "
            "and touchpoint_id = 'delivery'"
        ).df()
    assert set(delivery) == set(late) and set(on_time) == set(late)
    assert min(delivery, key=delivery.get) == weak
    assert min(on_time, key=on_time.get) == weak
    # The driver analysis by territory: each territory has weights of its own, and the weak
    # one's delivery performs worst.
    assert set(moments["scope_id"]) == set(late)
    assert set(moments["importance_source"]) == {"territory"}
    assert moments.set_index("scope_id")["performance_0_100"].idxmin() == weak
    # The opportunity map by territory: the weak one's delivery is furthest from perfect.
    assert set(opportunities["scope_id"]) == set(late)
    assert not opportunities["is_suppressed"].any()
    assert set(opportunities["importance_source"]) == {"territory"}
    assert opportunities.set_index("scope_id")["performance_gap"].idxmax() == weak


def test_moments_that_matter_come_from_the_driver_analysis(default_demo) -> None:
    demo, warehouse = default_demo
    strongest = demo.truth["strongest_driver_touchpoint"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        moments = con.execute("select * from marts.moments_that_matter").df()
        importance = con.execute(
            "select driver, importance_pct from marts.driver_importance "
            "where outcome = 'likelihood_to_recommend'"
        ).df()
        flagged = con.execute(
            "select job, touchpoint_id, bool_or(is_moment_that_matters) "
            "from marts.journey_heatmap group by 1, 2"
        ).fetchall()
    company = moments[moments["scope_type"] == "company"].set_index("touchpoint_id")
    pd.testing.assert_series_equal(
        company["importance_pct"].sort_index(),
        importance.set_index("driver")["importance_pct"].sort_index(),
        check_names=False,
    )
    assert company.loc[strongest, "is_moment_that_matters"]
    own = moments[(moments["scope_type"] == "job") & (moments["importance_source"] == "job")]
    assert len(own) > 0 and (own["n"] >= 30).all()
    for _, rows in own.groupby("scope_id"):
        assert rows.set_index("touchpoint_id").loc[strongest, "is_moment_that_matters"]
    # The heatmap's flag is the mart's: the job's own moments, else the company's.
    by_job = moments[moments["scope_type"] == "job"].set_index(["scope_id", "touchpoint_id"])
    for job, touchpoint, is_moment in flagged:
        if (job, touchpoint) in by_job.index:
            expected = by_job.loc[(job, touchpoint), "is_moment_that_matters"]
        else:
            expected = company["is_moment_that_matters"].get(touchpoint, False)
        assert is_moment == expected, (job, touchpoint)


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
    # The placebo changed nothing: what it returned is far below what the effective one did,
    # and its ROX is about -1 (the money spent came back as nothing). Whether its effect and
    # value intervals hold 0 is a coverage question, answered over 30 companies by
    # scripts/rox_calibration.py (docs/rox.md, "Calibration"), not at this one seed: here
    # checkout's only control is website and the effect is +5.8 points (1.5 to 10.5), a
    # 2.5-standard-error draw, and the value interval's lower end sits near 0 (it moves with
    # the pseudonym salt, which orders the bootstrap's customers).
    assert placebo["attributable_value_ci_high"] < effective["attributable_value_ci_low"]
    assert placebo["rox_ci_high"] < 0
    assert company[0] >= 23 and company[1] >= 23 and company[2] >= 23


def test_the_headline_portfolio_agrees_with_its_initiatives(default_demo) -> None:
    _, warehouse = default_demo
    with duckdb.connect(str(warehouse), read_only=True) as con:
        portfolio = con.execute("select * from marts.rox_portfolio").df()
        initiatives = con.execute("select * from marts.rox_by_initiative").df()
    portfolio = portfolio.set_index("investment_kind")
    for kind in ("all", "soft", "hard"):
        mine = initiatives if kind == "all" else initiatives[initiatives["investment_kind"] == kind]
        measured = mine[
            mine["attributable_value_eur"].notna() & (mine["investment_to_date_eur"] > 0)
        ]
        value = measured["attributable_value_eur"].sum()
        invested = measured["investment_to_date_eur"].sum()
        row = portfolio.loc[kind]
        assert row["investment_to_date_eur"] == pytest.approx(invested)
        if invested > 0:
            assert row["attributable_value_eur"] == pytest.approx(value)
            assert row["rox"] == pytest.approx((value - invested) / invested)
            assert row["rox_ci_low"] <= row["rox"] <= row["rox_ci_high"]


def test_rox_recovers_the_planted_soft_initiative_through_ex_and_not_the_soft_placebo(
    default_demo,
) -> None:
    """Training of the support team raised its EX (eNPS) from its start and support CX a month
    later: ROX's EX step and CX step (EX effect x EX -> CX link) hold the planted effects."""
    demo, warehouse = default_demo
    truth = demo.truth
    effective_id = truth["effective_soft_initiative_id"]
    planted = next(i for i in truth["initiatives"] if i["initiative_id"] == effective_id)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rox = con.execute("select * from marts.rox_by_initiative").df().set_index("initiative_id")
        lag = int(rox.loc[effective_id, "ex_cx_lag_months"])
        # The planted CX effect is on support survey answers; the support score ROX reads
        # mixes them with other support signals (reply times, reviews): their share.
        survey_share = con.execute(
            "select avg(case when source = 'survey' then 1.0 else 0.0 end) "
            "from intermediate.int_experience_events "
            "where touchpoint_id = 'support' and score_0_100 is not null "
            "and customer_key is not null and occurred_month >= ? ",
            [(pd.Timestamp(planted["start_month"] + "-01") + pd.DateOffset(months=lag)).date()],
        ).fetchall()[0][0]
        link = con.execute(
            "select * from marts.ex_cx_link where team = 'customer_care' and touchpoint = 'support'"
        ).df()
    effective = rox.loc[effective_id]
    placebo = rox.loc[truth["placebo_soft_initiative_id"]]
    measured = truth["measured"]
    assert effective["channel"] == "EX -> CX -> value" and effective["investment_kind"] == "soft"
    assert effective["team"] == "customer_care"
    ex_truth = measured["soft_ex_effect_0_100"]
    assert effective["ex_effect_ci_low"] < ex_truth < effective["ex_effect_ci_high"]
    cx_truth = measured["soft_support_answer_effect_0_100"] * survey_share
    assert effective["effect_ci_low"] < cx_truth < effective["effect_ci_high"]
    assert effective["attributable_value_ci_low"] > 0
    assert sorted(link["lag_months"]) == [0, 1, 2]
    assert link.set_index("lag_months").loc[lag, "ci_low"] > 0
    # The soft placebo moved nobody's EX: its value holds 0, far below the effective one's,
    # and it did not pay. (Its EX effect, -5.7 points at this seed, is a -1.7-standard-error
    # draw whose interval's upper end sits near 0: its coverage is calibrated over 30 seeds.)
    assert placebo["channel"] == "EX -> CX -> value"
    assert placebo["attributable_value_ci_low"] < 0 < placebo["attributable_value_ci_high"]
    assert placebo["attributable_value_ci_high"] < effective["attributable_value_ci_low"]
    assert placebo["rox_ci_high"] < 0
