"""Every mart's asset key, for the assets that read all of them (publish, report).

The dbt marts come from dbt's manifest, the Python marts from the assets that write them, so a
new mart is published and reported without another list to keep in step.
"""

from __future__ import annotations

import json

import dagster as dg

from orchestration.clv.assets import clv_marts
from orchestration.drivers.assets import driver_marts
from orchestration.okr.assets import okr_marts
from orchestration.rox.assets import rox_marts
from orchestration.transform.project import rox_dbt_project

# The marts written by Python assets (statistics the SQL layer cannot express).
PYTHON_MART_ASSETS = [clv_marts, driver_marts, okr_marts, rox_marts]


def python_mart_keys() -> list[dg.AssetKey]:
    """The keys of every table the Python mart assets write."""
    return sorted((key for asset in PYTHON_MART_ASSETS for key in asset.keys), key=str)


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
    return sorted({*dbt_mart_keys(), *python_mart_keys()}, key=lambda key: key.path)
