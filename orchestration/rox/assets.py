"""The ROX marts: experience per month and scope, ROX per initiative and of the portfolio."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides
from orchestration.shared.mart_columns import load_mart_columns
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.scopes import known_scope_ids
from orchestration.shared.warehouse_reads import read_relation

ROX_SCORE = dg.AssetKey(["marts", "rox_score"])
ROX_BY_INITIATIVE = dg.AssetKey(["marts", "rox_by_initiative"])
ROX_PORTFOLIO = dg.AssetKey(["marts", "rox_portfolio"])
EX_CX_LINK = dg.AssetKey(["marts", "ex_cx_link"])
# Every column of these marts, described (the Columns tab of the UI, docs/marts.md).
COLUMNS = load_mart_columns(Path(__file__).with_name("marts.yml"))
GRAINS = {
    EX_CX_LINK: "team x touchpoint x lag (months)",
    ROX_SCORE: "month x scope (company, value stream, job, segment, touchpoint, territory, "
    "business unit, channel)",
    ROX_BY_INITIATIVE: "initiative",
    ROX_PORTFOLIO: "investment kind (all, soft, hard)",
}

SCORES = "intermediate.int_customer_touchpoint_scores"
CUSTOMER_KEYS = "intermediate.int_customer_keys"
ACTIVE = "intermediate.int_active_customers_monthly"
PULSE = "intermediate.int_team_pulse_monthly"
FORWARD_MARGIN = "intermediate.int_customer_forward_margin"


def _spec(key: dg.AssetKey, deps: list, description: str) -> dg.AssetSpec:
    return mart_spec(key, deps, description, GRAINS[key], COLUMNS)


@dg.multi_asset(
    specs=[
        _spec(
            ROX_SCORE,
            [
                ["marts", "metric_values"],
                ["marts", "customer_clv"],
                ["intermediate", "int_customer_touchpoint_scores"],
                ["intermediate", "int_customer_keys"],
                ["intermediate", "int_active_customers_monthly"],
                ["intermediate", "int_known_scopes"],
                ["intermediate", "int_initiatives"],
                ["config", "touchpoints"],
            ],
            "Experience per month and scope: CX and EX index, experience value created in the "
            "month (movement between experience bands + cost to serve avoided) with a bootstrap "
            "interval, investment, a monthly ROX only where an initiative in the scope is live, "
            "revenue at risk, churn, CLV delta, cost to serve, formula version and components "
            "(docs/rox.md). Not the headline ROX: see marts.rox_portfolio.",
        ),
        _spec(
            ROX_BY_INITIATIVE,
            [
                ["marts", "customer_clv"],
                ["intermediate", "int_customer_touchpoint_scores"],
                ["intermediate", "int_customer_keys"],
                ["intermediate", "int_team_pulse_monthly"],
                ["intermediate", "int_customer_forward_margin"],
                ["intermediate", "int_initiatives"],
                ["config", "touchpoints"],
            ],
            "Per initiative: kind and channel, each step's effect (difference in differences on "
            "experience in its scope), value per point (cross-section and within customers), "
            "lasting attributable value, investment "
            "to date, ROX, with intervals from one joint bootstrap over customers.",
        ),
        _spec(
            ROX_PORTFOLIO,
            [
                ["marts", "customer_clv"],
                ["intermediate", "int_customer_touchpoint_scores"],
                ["intermediate", "int_customer_keys"],
                ["intermediate", "int_team_pulse_monthly"],
                ["intermediate", "int_initiatives"],
                ["config", "touchpoints"],
            ],
            "The headline ROX: the portfolio's (attributable value of all initiatives to date - "
            "their investment) / investment, for all, soft and hard investments, with an interval "
            "from the joint bootstrap over customers across initiatives.",
        ),
        _spec(
            EX_CX_LINK,
            [
                ["intermediate", "int_team_pulse_monthly"],
                ["intermediate", "int_customer_touchpoint_scores"],
                ["config", "touchpoints"],
            ],
            "EX inside the return: the owning team's EX (eNPS, 0-100) against its touchpoints' "
            "CX (0-100), lagged 0-2 months, over the team x month panel: the slope (CX points per "
            "EX point, corrected for the sampling noise of monthly EX) with its interval.",
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
    from analytics.rox_marts import (
        CUSTOMER_SCOPES,
        clv_customers,
        customer_scores,
        rox_by_initiative,
        rox_score,
    )
    from common.settings import rox_config_path

    settings, formula_version = load_rox_settings(rox_config_path(), business_settings.settings())
    with duckdb.get_connection() as con:
        # In customer order: the bootstrap draws one weight per customer in order of appearance.
        scores = read_relation(
            con,
            SCORES,
            ["customer_id", "month_start", "touchpoint_id", "scores", "score_sum_0_100"],
            order_by=["customer_id", "month_start", "touchpoint_id"],
        )
        keys = read_relation(
            con,
            CUSTOMER_KEYS,
            ["customer_id", "customer_key", *CUSTOMER_SCOPES],
            order_by=["customer_id"],
        )
        clv = read_relation(
            con,
            "marts.customer_clv",
            ["customer_key", "historic_margin_eur", "t", "clv_horizon_eur"],
            order_by=["customer_key"],
        )
        # One row per month and customer scope (int_active_customers_monthly's grain).
        active = read_relation(con, ACTIVE, order_by=["month_start", *CUSTOMER_SCOPES])
        metric_values = read_relation(
            con,
            "marts.metric_values",
            order_by=["metric", "scope_type", "scope_id", "period_start", "period_grain"],
        )
        ledger = read_relation(con, "intermediate.int_initiatives", order_by=["initiative_id"])
        pulse = read_relation(con, PULSE, order_by=["team", "month_start", "employee_key"])
        forward = read_relation(
            con,
            FORWARD_MARGIN,
            ["customer_key", "month_start", "forward_margin_annual_eur"],
            order_by=["customer_key", "month_start"],
        )
        known = known_scope_ids(con)
        touchpoints = read_relation(
            con, "config.touchpoints", ["touchpoint_id", "owning_team"], order_by=["touchpoint_id"]
        )
    owning_team = dict(zip(touchpoints["touchpoint_id"], touchpoints["owning_team"], strict=True))
    metric_values = metric_values[metric_values["period_grain"] == "month"]
    scores = customer_scores(scores, keys)
    customers = clv_customers(clv, keys)
    forward = forward.merge(keys[["customer_key", "customer_id"]], on="customer_key")[
        ["customer_id", "month_start", "forward_margin_annual_eur"]
    ]
    # Months after the last complete month of customer activity are partial: left out.
    as_of = active["month_start"].max()
    scores = scores[scores["month_start"] <= as_of]
    metric_values = metric_values[metric_values["period_start"] <= as_of]
    initiatives = parse_ledger(ledger, known)
    if scores.empty or customers.empty:
        raise dg.Failure("no scored experience signals or customers: nothing to compute ROX on")

    score = rox_score(
        scores, customers, active, metric_values, initiatives, known, owning_team, settings
    )
    try:
        by_initiative, portfolio, link = rox_by_initiative(
            scores, customers, initiatives, settings, pulse, owning_team, forward
        )
    except ValueError as err:  # a soft initiative without a team to act through
        raise dg.Failure(f"initiatives.csv: {err}") from err
    for frame in (score, by_initiative, portfolio):
        frame["formula_version"] = formula_version

    with duckdb.get_connection() as con:
        tables = replace_mart_tables(
            con,
            {
                "rox_score": score,
                "rox_by_initiative": by_initiative,
                "rox_portfolio": portfolio,
                "ex_cx_link": link,
            },
            columns=COLUMNS,
        )

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
    headline = portfolio.set_index("investment_kind").loc["all"]
    yield dg.MaterializeResult(
        asset_key=ROX_PORTFOLIO,
        metadata={
            **tables["rox_portfolio"],
            "formula_version": formula_version,
            "rox": float(headline["rox"]) if headline["rox"] == headline["rox"] else None,
        },
    )
    yield dg.MaterializeResult(asset_key=EX_CX_LINK, metadata=tables["ex_cx_link"])
