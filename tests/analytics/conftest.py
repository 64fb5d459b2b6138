"""Fixtures of the analytics tests: a small metric catalogue."""

from __future__ import annotations

import pytest

from analytics.metric_catalogue import parse_metric_catalogue


def metric_spec(**overrides) -> dict:
    spec = {
        "label": "On-time delivery",
        "description": "Share of orders on time.",
        "unit": "percent",
        "direction": "higher_is_better",
        "source": "marts.fct_metric_observations",
        "expression": "100 per on-time order; mean",
        "aggregation": "ratio",
        "grains": ["day", "month"],
        "scopes": ["company", "touchpoint"],
    }
    return {**spec, **overrides}


@pytest.fixture
def catalogue():
    return parse_metric_catalogue(
        {
            "version": 1,
            "metrics": {
                "on_time": metric_spec(),
                "reply_hours": metric_spec(direction="lower_is_better", unit="hours"),
                "spend": metric_spec(aggregation="sum", grains=["month"], scopes=["company"]),
            },
        }
    )
