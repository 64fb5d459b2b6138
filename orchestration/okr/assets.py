"""The metric and OKR marts: catalogue metrics by period and scope, key results scored on them.

The statistics are in analytics/metric_catalogue.py and analytics/okr.py; this module reads the
warehouse, validates the configuration against what exists there, and writes the marts.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.scopes import known_scope_ids

METRIC_VALUES = dg.AssetKey(["marts", "metric_values"])
OKR_PROGRESS = dg.AssetKey(["marts", "okr_progress"])
OKR_OBJECTIVE_PROGRESS = dg.AssetKey(["marts", "okr_objective_progress"])
OKR_VALUE_STREAM_PROGRESS = dg.AssetKey(["marts", "okr_value_stream_progress"])
GRAINS = {
    METRIC_VALUES: "metric x grain (day, month) x period x scope",
    OKR_PROGRESS: "key result x month",
    OKR_OBJECTIVE_PROGRESS: "objective x month",
    OKR_VALUE_STREAM_PROGRESS: "value stream x month",
}

# Observations of the CLV metrics, one row per customer, dated the month of the latest order in
# the warehouse (the CLV mart is a snapshot as of then).
CLV_OBSERVATIONS_SQL = """
create or replace temp view metric_observations as
with as_of as (
    select cast(date_trunc('month', max(last_order_on)) as date) as month_start
    from marts.customer_clv
),
clv as (
    select c.*, j.value_stream_id
    from marts.customer_clv as c left join config.jobs as j on j.job_id = c.job
)
select metric, observed_on, customer_key, value_stream_id, job_id, segment, touchpoint_id, team,
    numerator, denominator
from marts.fct_metric_observations
union all
select 'average_clv', as_of.month_start, customer_key, value_stream_id, job, segment, null, null,
    clv_horizon_eur, 1.0
from clv, as_of
union all
select 'revenue_at_risk', as_of.month_start, customer_key, value_stream_id, job, segment, null,
    null, revenue_last_12_months_eur, 0.0
from clv, as_of
where is_at_risk
"""


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key])


@dg.multi_asset(
    specs=[
        _spec(
            METRIC_VALUES,
            [
                ["marts", "fct_metric_observations"],
                ["marts", "customer_clv"],
                ["config", "jobs"],
                ["config", "value_streams"],
            ],
            "Every catalogue metric (config/metrics.yml) by day and month for each scope it "
            "allows: metric, period_grain, period_start, scope_type, scope_id, value, n.",
        ),
        _spec(
            OKR_PROGRESS,
            [METRIC_VALUES, ["config", "touchpoints"]],
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
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def okr_marts(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    from analytics.metric_catalogue import (
        compute_metric_values,
        load_metric_catalogue,
        observed_metrics,
    )
    from analytics.okr import (
        key_result_progress,
        load_okrs,
        objective_progress,
        value_stream_progress,
    )
    from common.settings import metric_catalogue_path, okrs_path

    catalogue = load_metric_catalogue(metric_catalogue_path())
    with duckdb.get_connection() as con:
        con.execute(CLV_OBSERVATIONS_SQL)
        uncatalogued = observed_metrics(con, "metric_observations") - set(catalogue)
        if uncatalogued:
            # Nothing is dropped silently: an observed metric must be defined in the catalogue.
            raise dg.Failure(
                f"{metric_catalogue_path().name}: metric(s) observed in the warehouse but not "
                f"defined in the catalogue: {', '.join(sorted(uncatalogued))}"
            )
        values = compute_metric_values(con, catalogue, "metric_observations")
        known = known_scope_ids(con)
        as_of = con.execute("select max(observed_on) from metric_observations").fetchall()[0][0]
    objectives, key_results = load_okrs(okrs_path(), catalogue, known)
    progress = key_result_progress(key_results, objectives, catalogue, values, as_of)
    objectives_frame = objective_progress(progress, objectives)
    streams_frame = value_stream_progress(progress)

    frames = {
        "metric_values": values,
        "okr_progress": progress,
        "okr_objective_progress": objectives_frame,
        "okr_value_stream_progress": streams_frame,
    }
    with duckdb.get_connection() as con:
        tables = replace_mart_tables(con, frames)

    missing = sorted(set(catalogue) - set(values["metric"]))
    yield dg.MaterializeResult(
        asset_key=METRIC_VALUES,
        metadata={
            **tables["metric_values"],
            "metrics": len(set(values["metric"])),
            "catalogue_metrics_without_observations": ", ".join(missing) or "none",
        },
    )
    latest = progress.sort_values("period_start").groupby("key_result_id").tail(1)
    yield dg.MaterializeResult(
        asset_key=OKR_PROGRESS,
        metadata={
            **tables["okr_progress"],
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
