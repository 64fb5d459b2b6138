"""The ROX marts: return on experience per month and scope, and per initiative."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.scopes import known_scope_ids

ROX_SCORE = dg.AssetKey(["marts", "rox_score"])
ROX_BY_INITIATIVE = dg.AssetKey(["marts", "rox_by_initiative"])
GRAINS = {
    ROX_SCORE: "month x scope (company, value stream, job, segment, touchpoint)",
    ROX_BY_INITIATIVE: "initiative",
}

# Scored experience signals of resolved customers, with every scope they belong to.
EVENTS_SQL = """
select e.customer_key, e.occurred_month as month_start, e.score_0_100, e.touchpoint_id,
    e.job as job_id, e.segment, j.value_stream_id
from marts.fct_experience_events as e
left join config.jobs as j on j.job_id = e.job
where e.customer_key is not null and e.score_0_100 is not null
-- A fixed order: the bootstrap draws one weight per customer in order of appearance.
order by e.customer_key, e.occurred_month, e.touchpoint_id, e.score_0_100
"""

CUSTOMERS_SQL = """
select c.customer_key, c.historic_margin_eur, c.t as tenure_weeks, c.clv_horizon_eur,
    c.job as job_id, c.segment, j.value_stream_id
from marts.customer_clv as c left join config.jobs as j on j.job_id = c.job
order by c.customer_key
"""

ACTIVE_SQL = """
select m.month_start, c.primary_job as job_id, c.segment, j.value_stream_id,
    count(*) as active_customers
from intermediate.int_customer_months as m
join intermediate.int_customers as c using (customer_key)
left join config.jobs as j on j.job_id = c.primary_job
where m.is_active
group by all
"""


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key])


@dg.multi_asset(
    specs=[
        _spec(
            ROX_SCORE,
            [
                ["marts", "metric_values"],
                ["marts", "fct_experience_events"],
                ["marts", "customer_clv"],
                ["intermediate", "int_customer_months"],
                ["intermediate", "int_customers"],
                ["config", "initiatives"],
                ["config", "touchpoints"],
                ["config", "value_streams"],
            ],
            "Return on experience per month and scope: CX and EX index, experience-attributable "
            "value (movement between experience bands + cost to serve avoided), investment, "
            "ROX with a bootstrap interval, revenue at risk, churn, CLV delta, cost to serve, "
            "formula version and components (docs/rox.md).",
        ),
        _spec(
            ROX_BY_INITIATIVE,
            [
                ["marts", "fct_experience_events"],
                ["marts", "customer_clv"],
                ["config", "initiatives"],
            ],
            "Per initiative: difference-in-differences effect on experience in its scope, value "
            "per point, attributable value, investment to date, ROX with bootstrap intervals.",
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def rox_marts(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    business_settings: BusinessSettingsOverrides,
):
    from analytics.rox_config import load_rox_settings, parse_ledger
    from analytics.rox_marts import rox_by_initiative, rox_score
    from common.settings import rox_config_path

    settings, formula_version = load_rox_settings(rox_config_path(), business_settings.settings())
    with duckdb.get_connection() as con:
        events = con.execute(EVENTS_SQL).df()
        customers = con.execute(CUSTOMERS_SQL).df()
        active = con.execute(ACTIVE_SQL).df()
        metric_values = con.execute(
            "select * from marts.metric_values where period_grain = 'month'"
        ).df()
        ledger = con.execute("select * from config.initiatives order by initiative_id").df()
        known = known_scope_ids(con)
        owning_team = dict(
            con.execute("select touchpoint_id, owning_team from config.touchpoints").fetchall()
        )
    # Months after the last complete month of customer activity are partial: left out.
    as_of = active["month_start"].max()
    events = events[events["month_start"] <= as_of]
    metric_values = metric_values[metric_values["period_start"] <= as_of]
    initiatives = parse_ledger(ledger, known)
    if events.empty or customers.empty:
        raise dg.Failure("no scored experience events or customers: nothing to compute ROX on")

    score = rox_score(
        events, customers, active, metric_values, initiatives, known, owning_team, settings
    )
    by_initiative = rox_by_initiative(events, customers, initiatives, settings)
    score["formula_version"] = formula_version
    by_initiative["formula_version"] = formula_version

    with duckdb.get_connection() as con:
        tables = replace_mart_tables(con, {"rox_score": score, "rox_by_initiative": by_initiative})

    company = score[score["scope_type"] == "company"].sort_values("month_start")
    yield dg.MaterializeResult(
        asset_key=ROX_SCORE,
        metadata={
            **tables["rox_score"],
            "formula_version": formula_version,
            "latest_company_cx_index": float(company["cx_index"].iloc[-1]),
        },
    )
    yield dg.MaterializeResult(
        asset_key=ROX_BY_INITIATIVE,
        metadata={
            **tables["rox_by_initiative"],
            "formula_version": formula_version,
            "rox": dg.MetadataValue.md(
                by_initiative[["initiative_id", "rox", "rox_ci_low", "rox_ci_high"]]
                .round(3)
                .to_markdown(index=False)
            ),
        },
    )
