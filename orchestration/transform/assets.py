"""dbt models as assets: one `@dbt_assets` per layer, so a failed check stops the next layer.

The date-keyed facts (models tagged `daily`) are their own step with daily partitions: a run
passes its partition window (or a backfill's range, in one run) to dbt as min_date / max_date
(orchestration/transform/invocation.py says how, and why not as `--vars`).
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.partitions import daily_partitions, partition_window_vars
from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides
from orchestration.transform.column_metadata import (
    lineage_of_this_deploy,
    manifest_fingerprint,
    model_asset_keys,
    stamp_lineage,
)
from orchestration.transform.invocation import (
    prune_run_targets,
    run_target_path,
    window_environment,
)
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
    def _layer_assets(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        business_settings: BusinessSettingsOverrides,
    ):
        # "buildable": a test whose parents sit in several layers runs with the last of them.
        args = ["build", "--indirect-selection", "buildable"]
        # The run's overrides, the same in every step (a resource), so dbt and the Python marts
        # of one run agree; none by default, and then dbt reuses the parse of `make manifest`.
        if overrides := business_settings.dbt_vars():
            context.log.info(f"business settings overridden for this run: {overrides}")
            args += ["--vars", json.dumps(overrides)]
        window = None
        if partitioned:
            window = partition_window_vars(context.partition_time_window)
            context.log.info(f"dbt window {window['min_date']} .. {window['max_date']}")
        target = run_target_path(rox_dbt_project.project_dir, context.run.run_id)
        if not target.exists():
            prune_run_targets(rox_dbt_project.project_dir)
        with window_environment(window):
            invocation = dbt.cli(args, context=context, target_path=target)
        events = invocation.stream()
        if rox_dbt_project.target == "duckdb" and invocation.adapter is not None:
            events = _with_table_metadata(context, invocation, events)
        yield from events

    return _layer_assets


def _with_table_metadata(context: dg.AssetExecutionContext, invocation, events):
    """Row counts and column types of every model built, column lineage once per deploy
    (orchestration/transform/column_metadata.py). Read through dbt-duckdb in this process
    (read-only) once dbt has exited; dbt-duckdb keeps its handle open by default, which in this
    long-lived process would stop the next step from opening the warehouse."""
    invocation.adapter.config.credentials.keep_open = False
    events = events.fetch_row_counts()
    fingerprint = manifest_fingerprint(invocation.manifest)
    models = model_asset_keys(
        invocation.manifest, invocation.dagster_dbt_translator, context.selected_asset_keys
    )
    reused = lineage_of_this_deploy(context.instance, models, fingerprint)
    if reused is None:
        events = events.fetch_column_metadata(with_column_lineage=True)
        return stamp_lineage(events, models, fingerprint, computed_in_run=context.run.run_id)
    context.log.info(f"column lineage of deploy {fingerprint} reused for {len(reused)} models")
    events = events.fetch_column_metadata(with_column_lineage=False)
    return stamp_lineage(events, models, fingerprint, reused=reused)


dbt_layer_assets = [build_layer_assets(layer) for layer in DBT_LAYERS]
# The partitioned daily facts, for jobs that leave them to the daily schedule.
daily_fact_assets = next(a for a in dbt_layer_assets if a.partitions_def is not None)
