"""The lever marts: driver importance, the chain of CX value, the opportunity map, actions."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.python_marts import mart_spec, replace_mart_tables

DRIVER_IMPORTANCE = dg.AssetKey(["marts", "driver_importance"])
CX_VALUE_CHAIN = dg.AssetKey(["marts", "cx_value_chain"])
OPPORTUNITY_MAP = dg.AssetKey(["marts", "opportunity_map"])
ACTION_PRIORITIES = dg.AssetKey(["marts", "action_priorities"])
GRAINS = {
    DRIVER_IMPORTANCE: "outcome x driver (touchpoint)",
    CX_VALUE_CHAIN: "link (from metric -> to metric)",
    OPPORTUNITY_MAP: "job x touchpoint",
    ACTION_PRIORITIES: "candidate action",
}

EVENTS_SQL = """
select customer_key, job, touchpoint_id, score_0_100
from marts.fct_experience_events
where touchpoint_id is not null and score_0_100 is not null
  and not (source = 'survey' and signal = 'nps')
"""

OUTCOMES_SQL = """
with bounds as (select max(month_end) as last_month_end from intermediate.int_customer_months),
last_state as (
    select m.customer_key, m.is_active, m.is_cross_sold
    from intermediate.int_customer_months as m, bounds
    where m.month_end = bounds.last_month_end
),
spend as (
    select o.customer_key,
        sum(case when o.ordered_on > b.last_month_end - interval 365 day and not o.is_returned
                 then o.amount_eur else 0 end) as revenue_12m,
        sum(case when o.ordered_on <= b.last_month_end - interval 365 day
                  and o.ordered_on > b.last_month_end - interval 730 day and not o.is_returned
                 then o.amount_eur else 0 end) as revenue_prior_12m,
        sum(case when o.ordered_on > b.last_month_end - interval 365 day and not o.is_returned
                 then o.margin_eur else 0 end) as margin_12m
    from staging.stg_salesforce__orders as o, bounds as b
    where not o.is_cancelled
    group by o.customer_key
)
select s.customer_key,
    n.nps_score::double as likelihood_to_recommend,
    case when l.is_active then 1.0 else 0.0 end as retention,
    (s.revenue_12m - s.revenue_prior_12m)::double as spend_change_eur,
    s.margin_12m::double as margin_last_12_months_eur,
    case when l.is_cross_sold then 1.0 else 0.0 end as is_cross_sold
from spend as s
left join intermediate.int_customer_latest_nps as n using (customer_key)
left join last_state as l using (customer_key)
"""

OPERATIONS_SQL = """
with deliveries as (
    select customer_key,
        avg(case when is_delivered_late then 0.0 else 1.0 end) as on_time_delivery_rate,
        avg(case when is_returned then 1.0 else 0.0 end) as return_rate
    from staging.stg_salesforce__orders
    where not is_cancelled and delivered_on is not null
    group by customer_key
),
tickets as (
    select customer_key, avg(first_reply_minutes) as mean_first_reply_minutes,
        avg(resolution_minutes) as mean_resolution_minutes
    from intermediate.int_tickets_resolved
    where customer_key is not null
    group by customer_key
)
select d.*, t.mean_first_reply_minutes::double as mean_first_reply_minutes,
    t.mean_resolution_minutes::double as mean_resolution_minutes
from deliveries as d left join tickets as t using (customer_key)
"""

CELLS_SQL = """
with events as (
    select distinct customer_key, job, touchpoint_id
    from marts.fct_experience_events
    where customer_key is not null and touchpoint_id is not null
)
select e.job, e.touchpoint_id, count(*) as customers,
    coalesce(sum(c.clv_horizon_eur), 0) as clv_at_stake_eur
from events as e left join marts.customer_clv as c using (customer_key)
group by e.job, e.touchpoint_id
"""


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key])


@dg.multi_asset(
    specs=[
        _spec(
            DRIVER_IMPORTANCE,
            [
                ["marts", "fct_experience_events"],
                ["intermediate", "int_customer_latest_nps"],
                ["intermediate", "int_customer_months"],
            ],
            "Relative weights (Johnson) of each touchpoint for recommendation, retention and "
            "spend change, with bootstrap intervals, performance and priority quadrant.",
        ),
        _spec(
            CX_VALUE_CHAIN,
            [DRIVER_IMPORTANCE, ["intermediate", "int_tickets_resolved"]],
            "Links from operational metrics to experience to business outcomes, with effect "
            "size (correlation), interval and sample size.",
        ),
        _spec(
            OPPORTUNITY_MAP,
            [DRIVER_IMPORTANCE, ["marts", "customer_clv"]],
            "Job x touchpoint: importance x performance gap x CLV at stake, ranked.",
        ),
        _spec(
            ACTION_PRIORITIES,
            [OPPORTUNITY_MAP, ["config", "actions"]],
            "Candidate actions ranked by value at stake against cost and complexity.",
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def driver_marts(duckdb: DuckDBResource):
    from analytics import driver_marts as dm

    with duckdb.get_connection() as con:
        events = con.execute(EVENTS_SQL).df()
        outcomes = con.execute(OUTCOMES_SQL).df().set_index("customer_key")
        operations = con.execute(OPERATIONS_SQL).df().set_index("customer_key")
        cells = con.execute(CELLS_SQL).df()
        actions = con.execute("select * from config.actions").df()
    drivers = dm.driver_matrix(events)
    performance = events.groupby("touchpoint_id")["score_0_100"].mean()
    importance = dm.driver_importance(drivers, outcomes, performance)
    if importance.empty:
        raise dg.Failure("too few customers with outcomes for a driver analysis")
    chain = dm.cx_value_chain(operations, drivers, outcomes)
    cells["performance_0_100"] = [
        events[(events["job"] == j) & (events["touchpoint_id"] == t)]["score_0_100"].mean()
        for j, t in zip(cells["job"], cells["touchpoint_id"], strict=True)
    ]
    opportunities = dm.opportunity_map(importance, cells)
    priorities = dm.action_priorities(actions, opportunities)
    frames = {
        "driver_importance": importance,
        "cx_value_chain": chain,
        "opportunity_map": opportunities,
        "action_priorities": priorities,
    }
    with duckdb.get_connection() as con:
        tables = replace_mart_tables(con, frames)
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
    yield dg.MaterializeResult(asset_key=CX_VALUE_CHAIN, metadata=tables["cx_value_chain"])
    yield dg.MaterializeResult(
        asset_key=OPPORTUNITY_MAP,
        metadata={
            **tables["opportunity_map"],
            "top_opportunity": opportunities.iloc[0]["lever"] if len(opportunities) else "",
        },
    )
    yield dg.MaterializeResult(asset_key=ACTION_PRIORITIES, metadata=tables["action_priorities"])
