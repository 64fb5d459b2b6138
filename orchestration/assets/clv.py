"""The CLV marts: BG/NBD + Gamma-Gamma fitted on the dbt RFM summaries (analytics/clv.py)."""

import dataclasses

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.assets.load_metadata import table_metadata
from orchestration.resources import WAREHOUSE_POOL

CUSTOMER_CLV = dg.AssetKey(["marts", "customer_clv"])
CLV_BY_SEGMENT = dg.AssetKey(["marts", "clv_by_segment"])
CLV_BACKTEST = dg.AssetKey(["marts", "clv_backtest"])
OWNERS = ["team:cx-analytics"]
KINDS = {"python", "duckdb"}


class ClvConfig(dg.Config):
    """Business settings of the CLV marts; change them in the launchpad or the run config."""

    horizon_months: int = 36
    annual_discount_rate: float = 0.10
    margin_rate: float = 0.35
    at_risk_p_alive: float = 0.5


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            CUSTOMER_CLV,
            owners=OWNERS,
            kinds=KINDS,
            deps=[
                ["intermediate", "int_customer_rfm"],
                ["intermediate", "int_customers"],
                ["intermediate", "int_customer_latest_nps"],
            ],
            description=(
                "One row per customer: RFM, p_alive, expected purchases and order value, "
                "discounted CLV over 12 months and the configured horizon, CLV decile."
            ),
            metadata={"grain": "customer"},
        ),
        dg.AssetSpec(
            CLV_BY_SEGMENT,
            owners=OWNERS,
            kinds=KINDS,
            deps=[CUSTOMER_CLV],
            description="CLV, revenue at risk and CLV at risk by segment and job.",
            metadata={"grain": "segment x job"},
        ),
        dg.AssetSpec(
            CLV_BACKTEST,
            owners=OWNERS,
            kinds=KINDS,
            deps=[["intermediate", "int_customer_rfm_backtest"]],
            description="Each run's calibration/holdout back-test of the purchase model.",
            metadata={"grain": "run"},
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def clv_marts(context: dg.AssetExecutionContext, config: ClvConfig, duckdb: DuckDBResource):
    import pandas as pd

    from analytics.customer_value import ClvSettings, backtest, clv_by_segment, score_customers

    with duckdb.get_connection() as con:
        rfm = con.execute("select * from intermediate.int_customer_rfm order by customer_key").df()
        customers = con.execute(
            "select customer_key, segment, primary_job from intermediate.int_customers"
        ).df()
        latest_nps = con.execute(
            "select customer_key, nps_group from intermediate.int_customer_latest_nps"
        ).df()
        holdout = con.execute(
            "select * from intermediate.int_customer_rfm_backtest order by customer_key"
        ).df()
    if rfm.empty:
        raise dg.Failure("intermediate.int_customer_rfm is empty: no orders to fit CLV on")
    settings = ClvSettings(
        **config.model_dump(), time_unit_days=float(rfm["time_unit_days"].iloc[0])
    )
    scored, fitted = score_customers(rfm, customers, settings, latest_nps)
    segments = clv_by_segment(scored)
    checked = backtest(holdout)
    run = pd.DataFrame(
        [
            {
                "run_id": context.run.run_id,
                "computed_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
                "calibration_end": holdout["calibration_end"].iloc[0],
                **checked,
                **{f"bgnbd_{k}": v for k, v in fitted.bgnbd.items() if k != "n"},
                **{f"gamma_gamma_{k}": v for k, v in fitted.gamma_gamma.items() if k != "n"},
                **{f"setting_{k}": v for k, v in dataclasses.asdict(settings).items()},
            }
        ]
    )
    with duckdb.get_connection() as con:
        con.begin()
        con.execute("create schema if not exists marts")
        con.register("scored_frame", scored)
        con.register("segments_frame", segments)
        con.register("run_frame", run)
        con.execute("create or replace table marts.customer_clv as select * from scored_frame")
        con.execute("create or replace table marts.clv_by_segment as select * from segments_frame")
        con.execute("create table if not exists marts.clv_backtest as from run_frame limit 0")
        con.execute("delete from marts.clv_backtest where run_id = ?", [context.run.run_id])
        con.execute("insert into marts.clv_backtest by name select * from run_frame")
        con.commit()
        tables = {
            key: table_metadata(con, "marts." + key.path[-1])
            for key in (CUSTOMER_CLV, CLV_BY_SEGMENT, CLV_BACKTEST)
        }

    params = {**fitted.bgnbd, **{f"gg_{k}": v for k, v in fitted.gamma_gamma.items()}}
    yield dg.MaterializeResult(
        asset_key=CUSTOMER_CLV,
        metadata={
            **tables[CUSTOMER_CLV],
            "model_parameters": dg.MetadataValue.json(params),
            "mean_p_alive": float(scored["p_alive"].mean()),
            "total_clv_horizon_eur": float(scored["clv_horizon_eur"].sum()),
        },
    )
    yield dg.MaterializeResult(
        asset_key=CLV_BY_SEGMENT,
        metadata={
            **tables[CLV_BY_SEGMENT],
            "revenue_at_risk_eur": float(segments["revenue_at_risk_eur"].sum()),
        },
    )
    yield dg.MaterializeResult(
        asset_key=CLV_BACKTEST,
        metadata={
            **tables[CLV_BACKTEST],
            **{k: dg.MetadataValue.float(float(v)) for k, v in checked.items()},
        },
    )
