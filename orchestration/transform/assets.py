"""dbt models as assets: one `@dbt_assets` per layer, so a failed check stops the next layer.

The date-keyed facts (models tagged `daily`) are their own step with daily partitions: a run
passes its partition window (or a backfill's range, in one run) as `--vars min_date/max_date`.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.partitions import daily_partitions, partition_window_vars
from orchestration.resources import WAREHOUSE_POOL
from orchestration.transform.project import RoxDbtTranslator, rox_dbt_project

# Seeds (configuration the business maintains) first, then one step per model layer:
# layer -> (dbt selection, dbt exclusion).
DBT_LAYERS = {
    "config": ("resource_type:seed", None),
    "staging": ("path:models/staging", None),
    "intermediate": ("path:models/intermediate", "tag:daily"),
    "daily": ("tag:daily", None),
    "marts": ("path:models/marts", None),
}
PARTITIONED_LAYERS = {"daily"}


def build_layer_assets(layer: str) -> dg.AssetsDefinition:
    select, exclude = DBT_LAYERS[layer]
    partitioned = layer in PARTITIONED_LAYERS

    @dbt_assets(
        manifest=rox_dbt_project.manifest_path,
        project=rox_dbt_project,
        select=select,
        exclude=exclude,
        name=f"dbt_{layer}",
        dagster_dbt_translator=RoxDbtTranslator(),
        pool=WAREHOUSE_POOL,
        partitions_def=daily_partitions if partitioned else None,
        # A backfill of a date range is one dbt run over the whole window.
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
    )
    def _layer_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        # "buildable": a test whose parents sit in several layers runs with the last of them.
        args = ["build", "--indirect-selection", "buildable"]
        if partitioned:
            window = partition_window_vars(context.partition_time_window)
            context.log.info(f"dbt window {window['min_date']} .. {window['max_date']}")
            args += ["--vars", json.dumps(window)]
        invocation = dbt.cli(args, context=context)
        events = invocation.stream()
        if rox_dbt_project.target == "duckdb" and invocation.adapter is not None:
            # Row counts, column types and column lineage, read through dbt-duckdb in this process
            # (read-only) once dbt has exited. dbt-duckdb keeps its handle open by default, which
            # in this long-lived process would stop the next step from opening the warehouse.
            invocation.adapter.config.credentials.keep_open = False
            events = events.fetch_row_counts().fetch_column_metadata(with_column_lineage=True)
        yield from events

    return _layer_assets


dbt_layer_assets = [build_layer_assets(layer) for layer in DBT_LAYERS]
# The partitioned daily facts, for jobs that leave them to the daily schedule.
daily_fact_assets = next(a for a in dbt_layer_assets if a.partitions_def is not None)
