"""Every mart's asset key in one place, for the assets that read all of them (publish, report)."""

from __future__ import annotations

import json

import dagster as dg

from orchestration.assets.clv import CLV_BACKTEST, CLV_BY_SEGMENT, CUSTOMER_CLV
from orchestration.assets.drivers import (
    ACTION_PRIORITIES,
    CX_VALUE_CHAIN,
    DRIVER_IMPORTANCE,
    OPPORTUNITY_MAP,
)
from orchestration.assets.okr import (
    METRIC_VALUES,
    OKR_OBJECTIVE_PROGRESS,
    OKR_PROGRESS,
    OKR_VALUE_STREAM_PROGRESS,
)
from orchestration.assets.rox import ROX_BY_INITIATIVE, ROX_SCORE
from orchestration.dbt_project import rox_dbt_project

# Marts written by Python assets (statistics the SQL layer cannot express).
PYTHON_MART_KEYS = [
    CUSTOMER_CLV,
    CLV_BY_SEGMENT,
    CLV_BACKTEST,
    DRIVER_IMPORTANCE,
    CX_VALUE_CHAIN,
    OPPORTUNITY_MAP,
    ACTION_PRIORITIES,
    METRIC_VALUES,
    OKR_PROGRESS,
    OKR_OBJECTIVE_PROGRESS,
    OKR_VALUE_STREAM_PROGRESS,
    ROX_SCORE,
    ROX_BY_INITIATIVE,
]


def dbt_mart_keys() -> list[dg.AssetKey]:
    """The dbt models under models/marts, keyed as the translator keys them (`marts/<model>`)."""
    manifest = json.loads(rox_dbt_project.manifest_path.read_text())
    return sorted(
        dg.AssetKey(["marts", node["name"]])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    )


def mart_asset_keys() -> list[dg.AssetKey]:
    """Every mart, dbt and Python, sorted by key."""
    return sorted({*dbt_mart_keys(), *PYTHON_MART_KEYS}, key=lambda key: key.path)
