"""The action roadmap: the ranked actions scheduled by month within a capacity.

Capacity is how many actions the organisation runs at once (`roadmap_parallel_actions`, a
business setting). Actions are taken in rank order (marts.action_priorities); each starts in
the first month from which it fits for its whole duration, so a long action waits for room and
a shorter, lower-ranked one may start earlier in a gap (never displacing a higher-ranked one).
Plain pandas.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

ROADMAP_COLUMNS = [
    "action_id",
    "action",
    "touchpoint_id",
    "rank",
    "month_start",
    "start_month",
    "end_month",
    "month_of_action",
    "duration_months",
    "parallel_capacity",
]


class RoadmapError(ValueError):
    """Actions that cannot be scheduled; the message names the action."""


def action_roadmap(
    priorities: pd.DataFrame, first_month: dt.date, parallel_actions: int
) -> pd.DataFrame:
    """One row per action and month it is in flight, from `first_month` on."""
    if parallel_actions < 1:
        raise RoadmapError(f"roadmap_parallel_actions must be at least 1, got {parallel_actions}")
    load: dict[int, int] = {}
    rows = []
    start_of = pd.Timestamp(first_month).replace(day=1)
    for action in priorities.sort_values("rank").itertuples(index=False):
        months = int(action.duration_months)
        if months < 1:
            raise RoadmapError(f"action {action.action_id}: duration_months must be at least 1")
        start = 0
        while any(load.get(start + k, 0) >= parallel_actions for k in range(months)):
            start += 1
        for k in range(months):
            load[start + k] = load.get(start + k, 0) + 1
        begin = (start_of + pd.DateOffset(months=start)).date()
        end = (start_of + pd.DateOffset(months=start + months - 1)).date()
        rows += [
            {
                "action_id": action.action_id,
                "action": action.action,
                "touchpoint_id": action.touchpoint_id,
                "rank": int(action.rank),
                "month_start": (start_of + pd.DateOffset(months=start + k)).date(),
                "start_month": begin,
                "end_month": end,
                "month_of_action": k + 1,
                "duration_months": months,
                "parallel_capacity": parallel_actions,
            }
            for k in range(months)
        ]
    return pd.DataFrame(rows, columns=ROADMAP_COLUMNS)
