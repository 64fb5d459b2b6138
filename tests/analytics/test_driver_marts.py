"""The lever marts' logic: importance per outcome, the value chain, opportunities, actions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import driver_marts as dm


def customers(n: int = 1500, seed: int = 4) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Drivers (some missing), outcomes driven mostly by 'delivery', and operations."""
    rng = np.random.default_rng(seed)
    index = pd.Index([f"c{i}" for i in range(n)], name="customer_key")
    on_time = rng.uniform(0.5, 1.0, n)
    drivers = pd.DataFrame(
        {
            "delivery": 100 * on_time + rng.normal(0, 5, n),
            "support": rng.normal(40, 15, n),
            "website": rng.normal(70, 15, n),
        },
        index=index,
    )
    drivers.loc[rng.random(n) < 0.3, "support"] = np.nan
    nps = 0.08 * drivers["delivery"] + 0.03 * drivers["support"].fillna(40) + rng.normal(0, 1, n)
    outcomes = pd.DataFrame(
        {
            "likelihood_to_recommend": nps.clip(0, 10),
            "retention": (rng.random(n) < 0.3 + 0.5 * on_time).astype(float),
            "spend_change_eur": 50 * nps + rng.normal(0, 100, n),
            "margin_last_12_months_eur": 20 * nps + rng.normal(0, 20, n),
        },
        index=index,
    )
    operations = pd.DataFrame({"on_time_delivery_rate": on_time}, index=index)
    return drivers, outcomes, operations


def test_importance_does_not_depend_on_the_order_the_rows_were_read_in() -> None:
    drivers, outcomes, _ = customers()
    performance = drivers.mean()
    first = dm.driver_importance(drivers, outcomes, performance)
    shuffled = outcomes.sample(frac=1.0, random_state=3)
    again = dm.driver_importance(drivers.sample(frac=1.0, random_state=5), shuffled, performance)
    pd.testing.assert_frame_equal(first, again)


def test_importance_ranks_the_true_driver_first_for_every_outcome() -> None:
    drivers, outcomes, _ = customers()
    performance = drivers.mean()
    table = dm.driver_importance(drivers, outcomes, performance)
    assert set(table["outcome"]) == {"likelihood_to_recommend", "retention", "spend_change_eur"}
    for outcome, part in table.groupby("outcome"):
        assert part.sort_values("importance_rank").iloc[0]["driver"] == "delivery", outcome
        assert part["importance_pct"].sum() == pytest.approx(100.0)
    ltr = table[table["outcome"] == "likelihood_to_recommend"].set_index("driver")
    assert ltr.loc["support", "quadrant"] in {"fix", "monitor"}
    assert ltr.loc["delivery", "quadrant"] == "leverage"
    assert (ltr["n"] == len(drivers)).all()  # missing support scores are imputed, not dropped


def test_too_few_customers_gives_no_importance_rather_than_noise() -> None:
    drivers, outcomes, _ = customers(20)
    assert dm.driver_importance(drivers, outcomes, drivers.mean()).empty


def test_value_chain_links_operations_to_experience_to_outcomes() -> None:
    drivers, outcomes, operations = customers()
    chain = dm.cx_value_chain(operations, drivers, outcomes).set_index(["from_metric", "to_metric"])
    link = chain.loc[("on_time_delivery_rate", "delivery")]
    assert link["effect_size"] > 0.9 and link["ci_low"] < link["effect_size"] < link["ci_high"]
    assert chain.loc[("delivery", "likelihood_to_recommend"), "effect_size"] > 0.3
    assert chain.loc[("likelihood_to_recommend", "spend_change_eur"), "n"] == len(drivers)


def test_opportunity_score_is_importance_times_gap_times_value() -> None:
    importance = pd.DataFrame(
        {
            "outcome": "likelihood_to_recommend",
            "driver": ["delivery", "support"],
            "importance_pct": [60.0, 40.0],
        }
    )
    cells = pd.DataFrame(
        {
            "job": ["j1", "j1", "j2"],
            "touchpoint_id": ["delivery", "support", "website"],
            "performance_0_100": [90.0, 40.0, 70.0],
            "customers": [100, 50, 10],
            "clv_at_stake_eur": [10000.0, 5000.0, 999.0],
        }
    )
    out = dm.opportunity_map(importance, cells).set_index("touchpoint_id")
    assert out.loc["delivery", "opportunity_score"] == pytest.approx(0.6 * 0.1 * 10000)
    assert out.loc["support", "opportunity_score"] == pytest.approx(0.4 * 0.6 * 5000)
    assert out.loc["support", "rank"] == 1 and out.loc["delivery", "rank"] == 2
    assert pd.isna(out.loc["website", "opportunity_score"])
    assert (
        "support" in out.loc["support", "lever"]
        and "Not enough data" in out.loc["website", "lever"]
    )


def test_actions_rank_by_value_against_cost_and_complexity() -> None:
    opportunities = pd.DataFrame(
        {
            "touchpoint_id": ["support", "support", "delivery"],
            "opportunity_score": [600.0, 400.0, 100.0],
        }
    )
    actions = pd.DataFrame(
        {
            "action_id": ["A", "B", "C"],
            "touchpoint_id": ["support", "delivery", "website"],
            "area": ["let it work", "let it work", "make it easy for me"],
            "estimated_cost_eur": [100.0, 10.0, 10.0],
            "complexity_1_5": [1, 2, 1],
        }
    )
    out = dm.action_priorities(actions, opportunities).set_index("action_id")
    assert out.loc["A", "value_at_stake_eur"] == 1000.0
    assert out.loc["A", "priority_score"] == pytest.approx(10.0)
    assert out.loc["B", "priority_score"] == pytest.approx(5.0)
    assert out.loc["C", "value_at_stake_eur"] == 0.0
    assert (out.loc["A", "rank"], out.loc["B", "rank"], out.loc["C", "rank"]) == (1, 2, 3)
    assert (out.loc["A", "rank_in_area"], out.loc["B", "rank_in_area"]) == (1, 2)
