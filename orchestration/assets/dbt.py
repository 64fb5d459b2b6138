"""dbt models as assets: one `@dbt_assets` per layer, so a failed check stops the next layer."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import RoxDbtTranslator, rox_dbt_project
from orchestration.resources import WAREHOUSE_POOL

# Seeds (configuration the business maintains) first, then one step per model layer.
DBT_LAYERS = {
    "config": "resource_type:seed",
    "staging": "path:models/staging",
    "intermediate": "path:models/intermediate",
    "marts": "path:models/marts",
}


def build_layer_assets(layer: str) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=rox_dbt_project.manifest_path,
        project=rox_dbt_project,
        select=DBT_LAYERS[layer],
        name=f"dbt_{layer}",
        dagster_dbt_translator=RoxDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def _layer_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        # "buildable": a test whose parents sit in several layers runs with the last of them.
        yield from dbt.cli(["build", "--indirect-selection", "buildable"], context=context).stream()

    return _layer_assets


dbt_layer_assets = [build_layer_assets(layer) for layer in DBT_LAYERS]
