"""The CLV marts: BG/NBD + Gamma-Gamma fitted on the dbt RFM summaries (analytics/clv.py)."""

import dataclasses
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides
from orchestration.shared.mart_columns import load_mart_columns
from orchestration.shared.python_marts import mart_spec, replace_mart_tables
from orchestration.shared.warehouse_reads import read_relation

CUSTOMER_CLV = dg.AssetKey(["marts", "customer_clv"])
CLV_BY_SEGMENT = dg.AssetKey(["marts", "clv_by_segment"])
CLV_BACKTEST = dg.AssetKey(["marts", "clv_backtest"])
# Every column of these marts, described (the Columns tab of the UI, docs/marts.md).
COLUMNS = load_mart_columns(Path(__file__).with_name("marts.yml"))


@dg.multi_asset(
    specs=[
        mart_spec(
            CUSTOMER_CLV,
            [
                ["intermediate", "int_customer_rfm"],
                ["intermediate", "int_customers"],
                ["intermediate", "int_customer_latest_nps"],
            ],
            "One row per customer: RFM, p_alive, expected purchases and order value, "
            "discounted CLV over 12 months and the configured horizon, CLV decile.",
            "customer",
            COLUMNS,
        ),
        mart_spec(
            CLV_BY_SEGMENT,
            [CUSTOMER_CLV],
            "CLV, revenue at risk and CLV at risk by segment and job.",
            "segment x job",
            COLUMNS,
        ),
        mart_spec(
            CLV_BACKTEST,
            [["intermediate", "int_customer_rfm_backtest"]],
            "Each run's calibration/holdout back-test of the purchase model.",
            "run",
            COLUMNS,
        ),
    ],
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def clv_marts(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    business_settings: BusinessSettingsOverrides,
):
    import pandas as pd

    from analytics.clv_marts import ClvSettings, backtest, clv_by_segment, score_customers
    from common.settings import raw_parquet_dir
    from ingest.parquet_export import export_table_parquet

    with duckdb.get_connection() as con:
        rfm = read_relation(con, "intermediate.int_customer_rfm", order_by=["customer_key"])
        customers = read_relation(
            con,
            "intermediate.int_customers",
            ["customer_key", "segment", "primary_job"],
            order_by=["customer_key"],
        )
        latest_nps = read_relation(
            con,
            "intermediate.int_customer_latest_nps",
            ["customer_key", "nps_group"],
            order_by=["customer_key"],
        )
        holdout = read_relation(
            con, "intermediate.int_customer_rfm_backtest", order_by=["customer_key"]
        )
    if rfm.empty:
        raise dg.Failure("intermediate.int_customer_rfm is empty: no orders to fit CLV on")
    # The run's business settings (the same overrides dbt built the RFM summaries with); the
    # time unit is the one those summaries were computed in.
    settings = ClvSettings.from_business(
        business_settings.settings(), time_unit_days=float(rfm["time_unit_days"].iloc[0])
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
        tables = replace_mart_tables(
            con,
            {"customer_clv": scored, "clv_by_segment": segments},
            run_rows={"clv_backtest": run},
            run_id=context.run.run_id,
            columns=COLUMNS,
        )
        # fct_metric_observations observes the CLV metrics from this mart; on Spark, dbt reads
        # its Parquet copy beside the raw tables'.
        export_table_parquet(con, "marts", "customer_clv", raw_parquet_dir())
    tables = {key: tables[key.path[-1]] for key in (CUSTOMER_CLV, CLV_BY_SEGMENT, CLV_BACKTEST)}

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
