"""The dbt project as Dagster sees it, and how its nodes become assets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from common.settings import DBT_PROJECT_DIR

rox_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=os.environ.get("ROX_DBT_TARGET", "duckdb"),
)
# Under `dagster dev` the manifest is rebuilt on load; elsewhere `make manifest` builds it.
rox_dbt_project.prepare_if_dev()

LAYER_OWNERS = {
    "config": ["team:cx-analytics"],
    "staging": ["team:data-engineering"],
    "intermediate": ["team:data-engineering"],
    "marts": ["team:cx-analytics"],
}


def _layer(props: Mapping[str, Any]) -> str | None:
    """The folder a model sits in (staging, intermediate, marts); seeds are 'config'."""
    if props.get("resource_type") == "seed":
        return "config"
    fqn = props.get("fqn") or []
    return fqn[1] if props.get("resource_type") == "model" and len(fqn) > 2 else None


class RoxDbtTranslator(DagsterDbtTranslator):
    """Models are keyed `<layer>/<model>` and grouped by layer; sources stay `raw/<table>`."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        layer = _layer(dbt_resource_props)
        if layer:
            return dg.AssetKey([layer, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return _layer(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        """The layer's owners, plus the model's own (`meta.owner: cx-analytics` is a team)."""
        owners = list(LAYER_OWNERS.get(_layer(dbt_resource_props) or "", []))
        meta = _meta(dbt_resource_props)
        declared = meta.get("dagster", {}).get("owners") or meta.get("owner") or []
        for owner in [declared] if isinstance(declared, str) else declared:
            owner = owner if "@" in owner or owner.startswith("team:") else f"team:{owner}"
            if owner not in owners:
                owners.append(owner)
        return owners

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        """dbt's column schema and relation name, plus the grain a mart declares in its meta."""
        metadata = dict(super().get_metadata(dbt_resource_props))
        if grain := _meta(dbt_resource_props).get("grain"):
            metadata["grain"] = grain
        return metadata


def _meta(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A node's meta, whether set at the top level or under `config:` (dbt merges both)."""
    return {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}
