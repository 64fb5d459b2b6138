"""The metric catalogue as a table for dbt, and the OKR marts scored on marts.metric_values.

The catalogue (config/metrics.yml) is validated here and landed as `config.metric_catalogue`,
which the dbt model metric_values aggregates fct_metric_observations by; the statistics of the
OKRs are in analytics/okr.py. This module reads the warehouse, validates the OKRs against what
exists there, and writes the marts.
"""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.load_metadata import table_metadata
from orchestration.shared.mart_columns import load_mart_columns
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.scopes import known_scope_ids
from orchestration.shared.warehouse_reads import column_max, read_relation

METRIC_CATALOGUE = dg.AssetKey(["config", "metric_catalogue"])
OKR_PROGRESS = dg.AssetKey(["marts", "okr_progress"])
OKR_OBJECTIVE_PROGRESS = dg.AssetKey(["marts", "okr_objective_progress"])
OKR_VALUE_STREAM_PROGRESS = dg.AssetKey(["marts", "okr_value_stream_progress"])
OKR_COMPANY_PROGRESS = dg.AssetKey(["marts", "okr_company_progress"])
# Every column of these marts, described (the Columns tab of the UI, docs/marts.md).
COLUMNS = load_mart_columns(Path(__file__).with_name("marts.yml"))
GRAINS = {
    OKR_PROGRESS: "key result x month",
    OKR_OBJECTIVE_PROGRESS: "objective x month",
    OKR_VALUE_STREAM_PROGRESS: "value stream x month",
    OKR_COMPANY_PROGRESS: "month",
}
METRIC_VALUES = "marts.metric_values"
ROX_SCORE = "marts.rox_score"
METRIC_VALUE_ORDER = ["metric", "period_grain", "scope_type", "scope_id", "period_start"]


@dg.asset(
    key=METRIC_CATALOGUE,
    group_name="config",
    owners=["team:cx-analytics"],
    kinds={"python", "duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "The metric catalogue (config/metrics.yml, ROX_METRICS), validated, as the table dbt "
        "aggregates metric values by: one row per metric, grain and scope type it allows."
    ),
)
def metric_catalogue(duckdb: DuckDBResource) -> dg.MaterializeResult:
    from analytics.metric_catalogue import catalogue_rows, load_metric_catalogue
    from common.settings import metric_catalogue_path, raw_parquet_dir
    from ingest.parquet_export import export_table_parquet

    rows = catalogue_rows(load_metric_catalogue(metric_catalogue_path()))
    with duckdb.get_connection() as con:
        con.begin()
        try:
            con.execute("create schema if not exists config")
            con.register("rox_metric_catalogue", rows)
            con.execute(
                "create or replace table config.metric_catalogue as "
                "select * from rox_metric_catalogue order by metric, period_grain, scope_type"
            )
            con.unregister("rox_metric_catalogue")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        # Spark's dbt reads the catalogue beside the raw tables' Parquet copies.
        export_table_parquet(con, "config", "metric_catalogue", raw_parquet_dir())
        metadata = table_metadata(con, "config.metric_catalogue")
    return dg.MaterializeResult(metadata={**metadata, "metrics": int(rows["metric"].nunique())})


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key], COLUMNS)


@dg.multi_asset(
    specs=[
        _spec(
            OKR_PROGRESS,
            [
                ["marts", "metric_values"],
                ["marts", "fct_metric_observations"],
                ["intermediate", "int_known_scopes"],
                ["marts", "rox_score"],
            ],
            "Each key result (config/okrs.yml) per month: actual, baseline, target, progress "
            "(clipped and unclipped), expected progress, status and grade.",
        ),
        _spec(
            OKR_OBJECTIVE_PROGRESS,
            [OKR_PROGRESS],
            "Each objective per month: weighted mean progress of its key results, status, grade.",
        ),
        _spec(
            OKR_VALUE_STREAM_PROGRESS,
            [OKR_PROGRESS],
            "Each value stream per month: weighted mean progress of its key results.",
        ),
        _spec(
            OKR_COMPANY_PROGRESS,
            [OKR_OBJECTIVE_PROGRESS],
            "The company per month: one OKR score, the mean of the objectives' scores, with "
            "status and grade by the same rule.",
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def okr_marts(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    from analytics.metric_catalogue import load_metric_catalogue
    from analytics.okr import (
        company_progress,
        key_result_progress,
        load_okrs,
        objective_progress,
        value_stream_progress,
        with_published_scores,
    )
    from common.settings import metric_catalogue_path, okrs_path

    catalogue = load_metric_catalogue(metric_catalogue_path())
    with duckdb.get_connection() as con:
        values = read_relation(con, METRIC_VALUES, order_by=METRIC_VALUE_ORDER)
        scores = read_relation(
            con,
            ROX_SCORE,
            ["month_start", "scope_type", "scope_id", "cx_index", "respondents"],
            order_by=["month_start", "scope_type", "scope_id"],
        )
        known = known_scope_ids(con)
        as_of = column_max(con, "marts.fct_metric_observations", "observed_on")
    values = with_published_scores(values, scores)
    objectives, key_results = load_okrs(okrs_path(), catalogue, known)
    progress = key_result_progress(key_results, objectives, catalogue, values, as_of)
    objectives_frame = objective_progress(progress, objectives)
    streams_frame = value_stream_progress(progress)
    company_frame = company_progress(objectives_frame)

    frames = {
        "okr_progress": progress,
        "okr_objective_progress": objectives_frame,
        "okr_value_stream_progress": streams_frame,
        "okr_company_progress": company_frame,
    }
    with duckdb.get_connection() as con:
        tables = replace_mart_tables(con, frames, columns=COLUMNS)

    missing = sorted(set(catalogue) - set(values["metric"]))
    latest = progress.sort_values("period_start").groupby("key_result_id").tail(1)
    yield dg.MaterializeResult(
        asset_key=OKR_PROGRESS,
        metadata={
            **tables["okr_progress"],
            "catalogue_metrics_without_values": ", ".join(missing) or "none",
            "latest_status": dg.MetadataValue.md(
                latest[["key_result_id", "metric", "progress", "expected_progress", "status"]]
                .round(3)
                .to_markdown(index=False)
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=OKR_OBJECTIVE_PROGRESS, metadata=tables["okr_objective_progress"]
    )
    yield dg.MaterializeResult(
        asset_key=OKR_VALUE_STREAM_PROGRESS, metadata=tables["okr_value_stream_progress"]
    )
    yield dg.MaterializeResult(
        asset_key=OKR_COMPANY_PROGRESS, metadata=tables["okr_company_progress"]
    )
