"""The dbt steps: every step of a run reuses the partial parse of `make manifest`, column lineage
is computed once per deploy, and one run's business-setting overrides reach dbt and Python."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.transform import column_metadata
from tests.helpers import DEMO_LAST_DAY, run_dbt

STEPS = ["staging/stg_marketing__spend", "intermediate/int_orders_daily", "marts/business_kpis"]


@pytest.fixture
def built_copy(built_small_warehouse, tmp_path, monkeypatch) -> Path:
    """A copy of the built small warehouse, its own dbt target folder parsed as `make manifest`
    parses (the same environment and --target), and a fresh Dagster home."""
    warehouse = tmp_path / "warehouse" / "rox.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(built_small_warehouse, warehouse)
    monkeypatch.setenv("ROX_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    parsed = run_dbt("parse", "--quiet", "--target", "duckdb")
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    return warehouse


def _materialize(instance, keys, run_config=None) -> dg.ExecuteInProcessResult:
    from orchestration.resources import build_resources
    from orchestration.transform.assets import dbt_layer_assets

    daily = any(k.endswith("_daily") for k in keys)
    result = dg.materialize(
        dbt_layer_assets,
        selection=[dg.AssetKey.from_user_string(k) for k in keys],
        partition_key=DEMO_LAST_DAY if daily else None,
        resources=build_resources(),
        instance=instance,
        run_config=run_config or {},
        raise_on_error=False,
    )
    assert result.success, [str(e) for e in result.all_events if e.is_failure]
    return result


def _dbt_log(tmp_path: Path, run_id: str) -> list[str]:
    log = tmp_path / "target" / f"run-{run_id}" / "dbt.log"
    return [json.loads(line)["info"]["name"] for line in log.read_text().splitlines()]


def _metadata(result, key: str) -> dict:
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == key
    ]
    return event.materialization.metadata


def test_every_dbt_step_reuses_the_parse_and_lineage_is_computed_once_per_deploy(
    built_copy, tmp_path, monkeypatch
) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        first = _materialize(instance, STEPS)
        names = _dbt_log(tmp_path, first.run_id)
        # Three steps (staging, the partitioned daily facts, marts), no full parse: the window
        # reaches dbt through the environment, not as vars that change dbt's parse state.
        assert names.count("MainReportVersion") == 3
        assert names.count("UnableToPartialParse") == 0
        kpis = _metadata(first, "marts/business_kpis")
        assert kpis[column_metadata.COMPUTED_IN_RUN].value == first.run_id
        lineage = kpis["dagster/column_lineage"].value.deps_by_column
        assert {d.asset_key.path[0] for d in lineage["revenue_eur"]} <= {"staging", "intermediate"}

        second = _materialize(instance, STEPS)
        again = _metadata(second, "marts/business_kpis")
        # The lineage of this deploy is reused from the first build; row counts and column
        # types are read again.
        assert again[column_metadata.COMPUTED_IN_RUN].value == first.run_id
        assert again["dagster/column_lineage"] == kpis["dagster/column_lineage"]
        assert again["dagster/row_count"].value == kpis["dagster/row_count"].value == 24
        assert again["dagster/column_schema"] == kpis["dagster/column_schema"]

        # A new deploy (another manifest): computed again on its first build.
        monkeypatch.setattr(column_metadata, "_fingerprints", {})
        real = column_metadata.manifest_fingerprint
        monkeypatch.setattr(
            "orchestration.transform.assets.manifest_fingerprint",
            lambda manifest: "new-" + real(manifest)[:12],
        )
        third = _materialize(instance, ["marts/business_kpis"])
        redone = _metadata(third, "marts/business_kpis")
        assert redone[column_metadata.COMPUTED_IN_RUN].value == third.run_id
        assert redone["dagster/column_lineage"] == kpis["dagster/column_lineage"]


def test_one_runs_overrides_reach_every_dbt_step_and_the_python_marts(built_copy, tmp_path):
    from orchestration.clv.assets import clv_marts

    overrides = {"addressable_market_customers": 1000, "clv_horizon_months": 12}
    config = {"resources": {"business_settings": {"config": overrides}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(instance, [*STEPS[:2], "marts/business_kpis"], config)
        names = _dbt_log(tmp_path, result.run_id)
        # The overrides are vars, the same in every step: only the first step re-parses.
        assert names.count("MainReportVersion") == 3
        assert names.count("UnableToPartialParse") == 1

        from orchestration.resources import build_resources

        clv = dg.materialize(
            [clv_marts], resources=build_resources(), instance=instance, run_config=config
        )
        assert clv.success
    with duckdb.connect(str(built_copy), read_only=True) as con:
        penetration = con.execute(
            "select count(*) from marts.business_kpis "
            "where penetration is distinct from active_customers / 1000"
        ).fetchall()
        horizons = con.execute("select distinct clv_horizon_months from marts.customer_clv")
        assert penetration == [(0,)] and horizons.fetchall() == [(12,)]


def test_a_bad_override_fails_the_step_naming_the_setting(built_copy) -> None:
    config = {"resources": {"business_settings": {"config": {"heat_pain_below": 90.0}}}}
    from orchestration.resources import build_resources
    from orchestration.transform.assets import dbt_layer_assets

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            dbt_layer_assets,
            selection=[dg.AssetKey.from_user_string("marts/business_kpis")],
            resources=build_resources(),
            instance=instance,
            run_config=config,
            raise_on_error=False,
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "heat_pain_below < heat_love_from" in str(failure.event_specific_data.error)
