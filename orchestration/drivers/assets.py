"""The lever marts: driver importance, the moments that matter, the chain of CX value, the
opportunity map, actions and their roadmap."""

from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides
from orchestration.shared.mart_columns import load_mart_columns
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.warehouse_reads import column_max, read_relation

DRIVER_IMPORTANCE = dg.AssetKey(["marts", "driver_importance"])
MOMENTS_THAT_MATTER = dg.AssetKey(["marts", "moments_that_matter"])
CX_VALUE_CHAIN = dg.AssetKey(["marts", "cx_value_chain"])
OPPORTUNITY_MAP = dg.AssetKey(["marts", "opportunity_map"])
ACTION_PRIORITIES = dg.AssetKey(["marts", "action_priorities"])
ACTION_ROADMAP = dg.AssetKey(["marts", "action_roadmap"])
# Every column of these marts, described (the Columns tab of the UI, docs/marts.md).
COLUMNS = load_mart_columns(Path(__file__).with_name("marts.yml"))
GRAINS = {
    DRIVER_IMPORTANCE: "outcome x driver (touchpoint)",
    MOMENTS_THAT_MATTER: "scope (company, job, territory, business unit, channel) x touchpoint",
    CX_VALUE_CHAIN: "link (from metric -> to metric)",
    OPPORTUNITY_MAP: "scope (job, territory, business unit, channel) x touchpoint",
    ACTION_PRIORITIES: "candidate action",
    ACTION_ROADMAP: "action x month in flight",
}

# The scopes of marts.moments_that_matter besides the company: scope type -> column of
# int_customer_keys.
MOMENT_SCOPES = {
    "job": "job_id",
    "territory": "territory",
    "business_unit": "business_unit",
    "channel": "primary_channel",
}

SCORES = "intermediate.int_customer_touchpoint_scores"
SCORE_COLUMNS = [
    "customer_id",
    "touchpoint_id",
    "signals",
    "driver_scores",
    "driver_score_sum_0_100",
]


def _by_customer(frame):
    """A per-customer input indexed by customer_id (int64), in customer order."""
    return frame.assign(customer_id=frame["customer_id"].astype("int64")).set_index("customer_id")


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key], COLUMNS)


@dg.multi_asset(
    specs=[
        _spec(
            DRIVER_IMPORTANCE,
            [
                ["intermediate", "int_customer_touchpoint_scores"],
                ["intermediate", "int_customer_outcomes"],
            ],
            "Relative weights (Johnson) of each touchpoint for recommendation, retention and "
            "spend change, with bootstrap intervals, performance and priority quadrant.",
        ),
        _spec(
            MOMENTS_THAT_MATTER,
            [DRIVER_IMPORTANCE, ["intermediate", "int_customer_keys"]],
            "Touchpoints that matter most for recommendation, for the company and each job, "
            "territory, business unit and channel: the driver analysis' importance with its "
            "interval (the scope's own where it has enough answers), quadrant and rank; the "
            "journey heatmap's moments come from here.",
        ),
        _spec(
            CX_VALUE_CHAIN,
            [DRIVER_IMPORTANCE, ["intermediate", "int_customer_operations"]],
            "Links from operational metrics to experience to business outcomes, with effect "
            "size (correlation), interval and sample size.",
        ),
        _spec(
            OPPORTUNITY_MAP,
            [DRIVER_IMPORTANCE, ["marts", "customer_clv"], ["intermediate", "int_customer_keys"]],
            "Job, territory, business unit and channel x touchpoint: importance x performance "
            "gap x CLV at stake, ranked within each scope type.",
        ),
        _spec(
            ACTION_PRIORITIES,
            [OPPORTUNITY_MAP, ["intermediate", "int_actions"], ["marts", "metric_values"]],
            "Candidate actions ranked by value at stake (revenue and retention, cost to serve) "
            "against cost, duration and complexity, with explicit tie-breaks.",
        ),
        _spec(
            ACTION_ROADMAP,
            [ACTION_PRIORITIES],
            "The ranked actions scheduled by month, at most roadmap_parallel_actions at once, "
            "from the month after the data.",
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def driver_marts(duckdb: DuckDBResource, business_settings: BusinessSettingsOverrides):
    from analytics import driver_marts as dm
    from analytics.moments import moments_that_matter, scope_importance, scope_performance
    from analytics.opportunities import opportunity_map, scope_cells
    from analytics.roadmap import action_roadmap
    from common.settings import raw_parquet_dir
    from ingest.parquet_export import export_table_parquet

    with duckdb.get_connection() as con:
        scores = read_relation(
            con, SCORES, SCORE_COLUMNS, order_by=["customer_id", "month_start", "touchpoint_id"]
        )
        outcomes = _by_customer(
            read_relation(con, "intermediate.int_customer_outcomes", order_by=["customer_id"])
        )
        operations = _by_customer(
            read_relation(con, "intermediate.int_customer_operations", order_by=["customer_id"])
        )
        keys = read_relation(
            con,
            "intermediate.int_customer_keys",
            ["customer_id", "customer_key", "job_id", *MOMENT_SCOPES.values()],
            order_by=["customer_id"],
        )
        clv = read_relation(
            con,
            "marts.customer_clv",
            ["customer_key", "clv_horizon_eur"],
            order_by=["customer_key"],
        )
        actions = read_relation(con, "intermediate.int_actions", order_by=["action_id"])
        values = read_relation(
            con,
            "marts.metric_values",
            ["metric", "period_grain", "scope_type", "scope_id", "period_start", "n"],
            order_by=["metric", "period_grain", "scope_type", "scope_id", "period_start"],
        )
        as_of = column_max(con, "marts.fct_metric_observations", "observed_on")
    settings = business_settings.settings()
    # The small-sample floor of any published answer-based number (default 30 answers).
    min_n = settings.min_answers_survey_metric
    drivers = dm.driver_matrix(scores)
    performance = dm.touchpoint_performance(scores)
    importance = dm.driver_importance(drivers, outcomes, performance, min_n=min_n)
    if importance.empty:
        raise dg.Failure("too few customers with outcomes for a driver analysis")
    chain = dm.cx_value_chain(operations, drivers, outcomes)
    clv_of = clv.merge(keys, on="customer_key").set_index("customer_id")["clv_horizon_eur"]
    by_customer = keys.set_index("customer_id")
    # Customers without an account have job 'unknown': not a job anyone can act on.
    jobs = by_customer["job_id"].where(by_customer["job_id"] != "unknown")
    by_scope, cells = {}, {}
    for scope_type, column in MOMENT_SCOPES.items():
        scope_of = jobs if scope_type == "job" else by_customer[column]
        by_scope[scope_type] = (
            scope_importance(drivers, outcomes, scope_of, min_n=min_n),
            scope_performance(scores, scope_of),
        )
        # The opportunity map's jobs keep the unlinked signals as job 'unknown'.
        cells[scope_type] = (
            scope_cells(scores, by_customer["job_id"], clv_of, unlinked="unknown")
            if scope_type == "job"
            else scope_cells(scores, scope_of, clv_of)
        )
    moments = moments_that_matter(
        importance, performance, by_scope, top_n=settings.moments_that_matter
    )
    opportunities = opportunity_map(
        importance,
        cells,
        {scope_type: own for scope_type, (own, _) in by_scope.items()},
        min_scores=settings.min_signals_heatmap_cell,
    )
    priorities = dm.action_priorities(
        actions,
        opportunities,
        dm.tickets_last_12_months(values, as_of),
        settings.cost_per_ticket_eur,
    )
    # The roadmap starts the month after the data.
    first_month = (pd.Timestamp(as_of).replace(day=1) + pd.DateOffset(months=1)).date()
    roadmap = action_roadmap(priorities, first_month, settings.roadmap_parallel_actions)
    frames = {
        "driver_importance": importance,
        "moments_that_matter": moments,
        "cx_value_chain": chain,
        "opportunity_map": opportunities,
        "action_priorities": priorities,
        "action_roadmap": roadmap,
    }
    with duckdb.get_connection() as con:
        tables = replace_mart_tables(con, frames, columns=COLUMNS)
        # journey_heatmap (dbt) reads the moments; on Spark from this Parquet copy.
        export_table_parquet(con, "marts", "moments_that_matter", raw_parquet_dir())
    top = importance[importance["outcome"] == "likelihood_to_recommend"]
    yield dg.MaterializeResult(
        asset_key=DRIVER_IMPORTANCE,
        metadata={
            **tables["driver_importance"],
            "top_driver_of_recommendation": str(top.sort_values("importance_rank").iloc[0, 1])
            if len(top)
            else "",
        },
    )
    yield dg.MaterializeResult(
        asset_key=MOMENTS_THAT_MATTER,
        metadata={
            **tables["moments_that_matter"],
            "company_moments": ", ".join(
                moments.loc[
                    (moments["scope_type"] == "company") & moments["is_moment_that_matters"],
                    "touchpoint_id",
                ]
            ),
        },
    )
    yield dg.MaterializeResult(asset_key=CX_VALUE_CHAIN, metadata=tables["cx_value_chain"])
    yield dg.MaterializeResult(
        asset_key=OPPORTUNITY_MAP,
        metadata={
            **tables["opportunity_map"],
            "top_opportunity": opportunities.iloc[0]["lever"] if len(opportunities) else "",
        },
    )
    yield dg.MaterializeResult(asset_key=ACTION_PRIORITIES, metadata=tables["action_priorities"])
    yield dg.MaterializeResult(asset_key=ACTION_ROADMAP, metadata=tables["action_roadmap"])
