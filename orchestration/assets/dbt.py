"""dbt models as assets: one `@dbt_assets` per layer, so a failed check stops the next layer."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import RoxDbtTranslator, rox_dbt_project
from orchestration.resources import WAREHOUSE_POOL

DBT_LAYERS = ("staging", "intermediate", "marts")


def build_layer_assets(layer: str) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=rox_dbt_project.manifest_path,
        project=rox_dbt_project,
        select=f"path:models/{layer}",
        name=f"dbt_{layer}",
        dagster_dbt_translator=RoxDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def _layer_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return _layer_assets


dbt_layer_assets = [build_layer_assets(layer) for layer in DBT_LAYERS]
