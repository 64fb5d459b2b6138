"""Moments that matter from the driver analysis: per job with a fallback, stable quadrants."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import driver_marts as dm
from analytics.moments import COLUMNS, moments_that_matter, scope_importance, scope_performance
from tests.analytics.test_driver_marts import customers


def _importance(rows: list[tuple[str, float, float, float]], n: int = 500) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "outcome": "likelihood_to_recommend",
                "driver": driver,
                "importance_pct": pct,
                "importance_pct_ci_low": low,
                "importance_pct_ci_high": high,
                "n": n,
            }
            for driver, pct, low, high in rows
        ]
    )


def _performance(scope_id: str, performance: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope_id": scope_id,
            "touchpoint_id": list(performance),
            "performance_0_100": list(performance.values()),
        }
    )


def test_scope_importance_only_for_scopes_with_enough_answers_with_intervals() -> None:
    drivers, outcomes, _ = customers()
    jobs = pd.Series(["big"] * (len(drivers) - 40) + ["small"] * 40, index=drivers.index)
    table = scope_importance(drivers, outcomes, jobs, min_n=41, n_bootstrap=50)
    assert set(table["scope_id"]) == {"big"}
    big = table.set_index("driver")
    assert big["importance_pct"].idxmax() == "delivery"
    assert big["importance_pct"].sum() == pytest.approx(100.0)
    assert (big["importance_pct_ci_low"] <= big["importance_pct"]).all()
    assert (big["importance_pct"] <= big["importance_pct_ci_high"]).all()
    assert (big["n"] == len(drivers) - 40).all()
    # At the floor a job counts: the floor is a setting, not a constant.
    assert set(scope_importance(drivers, outcomes, jobs, min_n=40, n_bootstrap=0)["scope_id"]) == {
        "big",
        "small",
    }


def test_a_touchpoint_whose_interval_straddles_the_mean_is_not_a_moment() -> None:
    # Four touchpoints: the mean importance is 25. 'returns' is as large as 'delivery' on the
    # point estimate but its interval reaches below 25, so it is neither a moment nor "fix".
    company = _importance(
        [
            ("delivery", 40.0, 31.0, 49.0),
            ("returns", 40.0, 12.0, 60.0),
            ("support", 15.0, 8.0, 22.0),
            ("website", 5.0, 1.0, 9.0),
        ]
    )
    performance = pd.Series({"delivery": 60.0, "returns": 50.0, "support": 80.0, "website": 90.0})
    out = moments_that_matter(company, performance, {}, top_n=2)
    assert list(out.columns) == COLUMNS
    rows = out.set_index("touchpoint_id")
    assert rows.loc["delivery", "is_moment_that_matters"]
    assert not rows.loc["returns", "is_moment_that_matters"]
    assert (
        rows.loc["delivery", "quadrant"] == "fix" and rows.loc["returns", "quadrant"] == "monitor"
    )
    # Equal point estimates rank by touchpoint id, so the order is the same every run.
    assert (
        rows.loc["delivery", "importance_rank"] == 1 and rows.loc["returns", "importance_rank"] == 2
    )


def test_at_most_top_n_moments_per_scope() -> None:
    company = _importance(
        [
            ("a", 30.0, 26.0, 34.0),
            ("b", 30.0, 26.0, 34.0),
            ("c", 30.0, 26.0, 34.0),
            ("d", 10.0, 5.0, 15.0),
        ]
    )
    performance = pd.Series({"a": 50.0, "b": 50.0, "c": 50.0, "d": 50.0})
    for top_n, expected in ((2, ["a", "b"]), (3, ["a", "b", "c"]), (1, ["a"])):
        out = moments_that_matter(company, performance, {}, top_n=top_n)
        assert sorted(out.loc[out["is_moment_that_matters"], "touchpoint_id"]) == expected


def test_scopes_use_their_own_weights_or_the_companys_flagged() -> None:
    drivers, outcomes, _ = customers()
    jobs = pd.Series(["big"] * (len(drivers) - 20) + ["tiny"] * 20, index=drivers.index)
    territories = pd.Series(["Austria", "Germany"] * (len(drivers) // 2), index=drivers.index)
    performance = drivers.mean()
    company = dm.driver_importance(drivers, outcomes, performance, min_n=30)
    means = drivers.mean().to_dict()
    scopes = {
        "job": (
            scope_importance(drivers, outcomes, jobs, min_n=30, n_bootstrap=100),
            pd.concat([_performance("big", means), _performance("tiny", means)]),
        ),
        "territory": (
            scope_importance(drivers, outcomes, territories, min_n=30, n_bootstrap=100),
            pd.concat([_performance("Austria", means), _performance("Germany", means)]),
        ),
    }
    out = moments_that_matter(company, performance, scopes, top_n=2)
    assert set(zip(out["scope_type"], out["scope_id"], strict=True)) == {
        ("company", "all"),
        ("job", "big"),
        ("job", "tiny"),
        ("territory", "Austria"),
        ("territory", "Germany"),
    }
    big = out[out["scope_id"] == "big"].set_index("touchpoint_id")
    tiny = out[out["scope_id"] == "tiny"].set_index("touchpoint_id")
    austria = out[out["scope_id"] == "Austria"].set_index("touchpoint_id")
    whole = out[out["scope_type"] == "company"].set_index("touchpoint_id")
    assert set(big["importance_source"]) == {"job"} and set(tiny["importance_source"]) == {
        "company"
    }
    assert set(austria["importance_source"]) == {"territory"}
    assert (big["n"] == len(drivers) - 20).all() and (tiny["n"] == whole["n"]).all()
    assert (austria["n"] == len(drivers) // 2).all()
    pd.testing.assert_series_equal(tiny["importance_pct"], whole["importance_pct"])
    # The planted driver: delivery moves recommendation, in the company and in every scope
    # with weights of its own.
    for rows in (whole, big, austria):
        assert rows.loc["delivery", "is_moment_that_matters"]
    assert not whole.loc["website", "is_moment_that_matters"]


def test_scope_performance_is_the_mean_of_the_scopes_driver_scores() -> None:
    scores = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, None],
            "touchpoint_id": ["delivery", "support", "delivery", "delivery", "delivery"],
            "driver_scores": [2, 1, 1, 4, 5],
            "driver_score_sum_0_100": [100.0, 25.0, 80.0, 400.0, 0.0],
        }
    )
    territory = pd.Series({1: "Austria", 2: "Austria", 3: None})
    out = scope_performance(scores, territory).set_index(["scope_id", "touchpoint_id"])
    # Customer 3 has no territory and the unresolved signal no customer: neither counts.
    assert out["performance_0_100"].to_dict() == {
        ("Austria", "delivery"): pytest.approx(60.0),
        ("Austria", "support"): pytest.approx(25.0),
    }
