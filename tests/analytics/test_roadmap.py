"""The action roadmap: ranked actions scheduled by month within the capacity."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.roadmap import RoadmapError, action_roadmap


def _priorities(durations: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": list(durations),
            "action": [f"action {a}" for a in durations],
            "touchpoint_id": "support",
            "rank": range(1, len(durations) + 1),
            "duration_months": list(durations.values()),
        }
    )


def test_the_roadmap_never_runs_more_actions_than_the_capacity() -> None:
    durations = {"A": 4, "B": 2, "C": 3, "D": 1, "E": 6, "F": 2}
    for capacity in (1, 2, 3):
        plan = action_roadmap(_priorities(durations), dt.date(2026, 11, 1), capacity)
        assert plan.groupby("month_start").size().max() <= capacity
        # Every action is scheduled for exactly its duration, in consecutive months.
        assert plan.groupby("action_id").size().to_dict() == durations
    one = action_roadmap(_priorities(durations), dt.date(2026, 11, 1), 1)
    assert one.groupby("month_start").size().max() == 1
    assert len(one["month_start"].unique()) == sum(durations.values())


def test_actions_start_in_rank_order_and_a_short_one_fills_a_gap() -> None:
    plan = action_roadmap(_priorities({"A": 4, "B": 2, "C": 5, "D": 2}), dt.date(2026, 11, 1), 2)
    starts = plan.drop_duplicates("action_id").set_index("action_id")["start_month"]
    # A and B start at once; C (5 months) waits for B's slot; D (2) waits for A's slot.
    assert starts.to_dict() == {
        "A": dt.date(2026, 11, 1),
        "B": dt.date(2026, 11, 1),
        "C": dt.date(2027, 1, 1),
        "D": dt.date(2027, 3, 1),
    }
    c = plan[plan["action_id"] == "C"]
    assert c["end_month"].iloc[0] == dt.date(2027, 5, 1)
    assert list(c["month_of_action"]) == [1, 2, 3, 4, 5]


def test_a_bad_capacity_or_duration_is_refused_naming_it() -> None:
    with pytest.raises(RoadmapError, match="roadmap_parallel_actions must be at least 1"):
        action_roadmap(_priorities({"A": 1}), dt.date(2026, 11, 1), 0)
    with pytest.raises(RoadmapError, match="action A: duration_months"):
        action_roadmap(_priorities({"A": 0}), dt.date(2026, 11, 1), 1)
