"""The lever marts' logic: importance per outcome, the value chain, opportunities, actions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import driver_marts as dm
from tests.analytics.signals import compact_scores, experience_signals


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
    # Important means the interval's lower bound clears the mean importance (100 / drivers).
    line = 100 / len(ltr)
    for driver, row in ltr.iterrows():
        weak = row["performance_0_100"] < ltr["performance_0_100"].median()
        important = row["importance_pct_ci_low"] > line
        want = {(True, True): "fix", (True, False): "leverage", (False, False): "maintain"}
        assert row["quadrant"] == want.get((important, weak), "monitor"), driver
    assert ltr.loc["delivery", "quadrant"] == "leverage"
    assert (ltr["n"] == len(drivers)).all()  # missing support scores are imputed, not dropped


def test_too_few_customers_gives_no_importance_rather_than_noise() -> None:
    drivers, outcomes, _ = customers(20)
    assert dm.driver_importance(drivers, outcomes, drivers.mean()).empty


def test_value_chain_weighs_operations_per_outcome_without_circular_links() -> None:
    drivers, outcomes, operations = customers()
    rng = np.random.default_rng(99)  # not customers()'s seed: its draws would repeat
    operations = operations.assign(
        return_rate=rng.random(len(operations)),  # unrelated to every outcome
        mean_first_reply_minutes=rng.normal(300, 60, len(operations)),
    )
    operations.loc[rng.random(len(operations)) < 0.5, "mean_first_reply_minutes"] = np.nan
    chain = dm.cx_value_chain(operations, drivers, outcomes)
    ops = chain[chain["from_layer"] == "operations"]
    # Retention depends on on-time delivery: it carries most of the explained variance.
    retention = ops[ops["to_metric"] == "retention"].set_index("from_metric")
    assert retention["effect_size"].sum() == pytest.approx(100.0)
    assert retention["effect_size"].idxmax() == "on_time_delivery_rate"
    assert retention.loc["on_time_delivery_rate", "ci_low"] > 50
    assert set(retention["effect_measure"]) == {"relative_weight_pct"}
    assert (retention["n"] == len(operations)).all()  # missing reply times imputed
    # No link from an operational metric to an experience built from the same field.
    assert not (chain["to_layer"] == "experience").any()
    links = chain.set_index(["from_metric", "to_metric"])
    assert links.loc[("delivery", "likelihood_to_recommend"), "effect_size"] > 0.3
    assert links.loc[("likelihood_to_recommend", "spend_change_eur"), "n"] == len(drivers)


def test_actions_rank_by_value_against_cost_duration_and_complexity() -> None:
    opportunities = pd.DataFrame(
        {
            "touchpoint_id": ["support", "support", "delivery"],
            "opportunity_score": [600.0, 400.0, 100.0],
            "performance_gap": [40.0, 60.0, 30.0],
        }
    )
    actions = pd.DataFrame(
        {
            "action_id": ["A", "B", "C", "D", "E"],
            "action": ["a", "b", "c", "d", "e"],
            "touchpoint_id": ["support", "delivery", "website", "support", "support"],
            "area": ["let it work", "let it work", "make it easy for me", "involve me", "x"],
            "estimated_cost_eur": [100.0, 10.0, 10.0, 100.0, 100.0],
            "duration_months": [3, 6, 2, 6, 3],
            "complexity_1_5": [1, 3, 1, 1, 1],
        }
    )
    tickets = pd.Series({"support": 200.0})
    out = dm.action_priorities(actions, opportunities, tickets, 6.5).set_index("action_id")
    # Support: 1000 of opportunity + 200 tickets x 6.5 EUR x a 50% gap = 1650 EUR at stake.
    assert out.loc["A", "revenue_and_retention_eur"] == 1000.0
    assert out.loc["A", "cost_to_serve_eur"] == pytest.approx(650.0)
    assert out.loc["A", "value_at_stake_eur"] == pytest.approx(1650.0)
    # Three months to deliver: 9 of the first 12 months earn; effort 100 x 1.
    assert out.loc["A", "priority_score"] == pytest.approx(1650.0 * 9 / 12 / 100.0)
    # Delivery: 100 x 6/12 over 10 x (1 + 2/4) = 3.33; D, as A but twice as long: 8.25.
    assert out.loc["B", "priority_score"] == pytest.approx(100.0 * 0.5 / 15.0)
    assert out.loc["D", "priority_score"] == pytest.approx(1650.0 * 0.5 / 100.0)
    assert out.loc["C", "value_at_stake_eur"] == 0.0
    # A and E tie exactly on every number: the action id decides, and ranks are unique.
    assert [out.loc[a, "rank"] for a in "AEDBC"] == [1, 2, 3, 4, 5]
    assert (out.loc["A", "rank_in_area"], out.loc["B", "rank_in_area"]) == (1, 2)


def test_a_shorter_action_wins_a_tie_on_score() -> None:
    opportunities = pd.DataFrame(
        {"touchpoint_id": ["support"], "opportunity_score": [0.0], "performance_gap": [50.0]}
    )
    actions = pd.DataFrame(
        {
            "action_id": ["A", "B"],
            "action": ["long", "short"],
            "touchpoint_id": ["support", "support"],
            "area": ["x", "x"],
            "estimated_cost_eur": [10.0, 10.0],
            "duration_months": [5, 2],
            "complexity_1_5": [2, 2],
        }
    )
    out = dm.action_priorities(actions, opportunities).set_index("action_id")
    assert (out.loc["A", "priority_score"], out.loc["B", "priority_score"]) == (0.0, 0.0)
    assert (out.loc["B", "rank"], out.loc["A", "rank"]) == (1, 2)


def test_compact_scores_give_the_drivers_of_one_row_per_signal() -> None:
    signals = experience_signals()
    compact = compact_scores(signals)
    assert len(compact) < len(signals) / 2
    drivers_signals = signals[~signals["is_nps"]].dropna(subset=["touchpoint_id", "score_0_100"])
    linked = drivers_signals.dropna(subset=["customer_id"])
    expected = linked.pivot_table(
        index="customer_id", columns="touchpoint_id", values="score_0_100", aggfunc="mean"
    )
    matrix = dm.driver_matrix(compact)
    pd.testing.assert_frame_equal(
        matrix,
        expected,
        check_names=False,
        check_index_type=False,
        check_column_type=False,
        rtol=1e-12,
    )
    performance = dm.touchpoint_performance(compact)
    pd.testing.assert_series_equal(
        performance,
        drivers_signals.groupby("touchpoint_id")["score_0_100"].mean(),
        check_names=False,
        rtol=1e-12,
    )
