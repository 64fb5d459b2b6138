"""Ingest assets: a transient failure is retried in the one-process executor, bad data is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from ingest.crm import MARKETING_SPEND
from orchestration.crm import assets as ingest_assets

SPEND = "month,channel,spend_eur,impressions,clicks\n2026-01-01,Paid Search,120.50,1000,40\n"


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warehouse_env: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "crm").mkdir(parents=True)
    monkeypatch.setenv("ROX_LANDING_DIR", str(landing))
    monkeypatch.setenv("ROX_RAW_PARQUET_DIR", str(tmp_path / "parquet"))
    return landing


def _materialize(asset: dg.AssetsDefinition, warehouse: Path) -> dg.ExecuteInProcessResult:
    # `materialize` runs in process, like the definitions' executor.
    return dg.materialize(
        [asset],
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _event_types(result: dg.ExecuteInProcessResult) -> list[str]:
    return [event.event_type_value for event in result.all_events]


def test_every_ingest_asset_retries_with_exponential_backoff(dbt_manifest) -> None:
    from orchestration.definitions import build_definitions
    from orchestration.shared.retries import INGEST_RETRIES

    graph = build_definitions().resolve_asset_graph()
    raw = [k for k in graph.get_all_asset_keys() if k.path[0] == "raw"]
    loaders = [k for k in raw if k.path[-1] not in ("pseudonym_salt", "text_signals")]
    # survey answers, responses and the three mapping tables load in one step; the two ledger
    # exports each in their own
    assert len(loaders) == 17
    assert INGEST_RETRIES.backoff == dg.Backoff.EXPONENTIAL and INGEST_RETRIES.max_retries >= 2
    for key in loaders:
        assert graph.assets_def_for_key(key).op.retry_policy == INGEST_RETRIES, key.to_user_string()


def test_a_transient_failure_is_retried_in_process(
    landing: Path, warehouse_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (landing / "crm" / "marketing_spend.csv").write_text(SPEND)
    # The real policy waits 5 s first; the mechanism under test is the same without the wait.
    monkeypatch.setattr(ingest_assets, "INGEST_RETRIES", dg.RetryPolicy(max_retries=2))
    real_load = ingest_assets.load_csv_source
    calls = []

    def flaky_load(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the export share went away")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(ingest_assets, "load_csv_source", flaky_load)
    result = _materialize(ingest_assets.build_raw_asset(MARKETING_SPEND), warehouse_env)

    assert result.success
    assert _event_types(result).count("STEP_UP_FOR_RETRY") == 1 and len(calls) == 2
    [materialization] = result.get_asset_materialization_events()
    metadata = materialization.materialization.metadata
    assert metadata["files_loaded"].value == 1 and metadata["dagster/row_count"].value == 1
    columns = [c.name for c in metadata["dagster/column_schema"].schema.columns]
    assert columns[:3] == ["month", "channel", "spend_eur"]
    with duckdb.connect(str(warehouse_env), read_only=True) as con:
        loaded_at = con.execute("select max(loaded_at) from raw.load_log").fetchall()[0][0]
    arrived = metadata["dagster/last_updated_timestamp"].value
    assert arrived == loaded_at.replace(tzinfo=dt.UTC).timestamp()


def test_a_bad_file_is_reported_not_retried_and_the_good_ones_load(
    landing: Path, warehouse_env: Path
) -> None:
    (landing / "crm" / "marketing_spend_broken.csv").write_text("month,channel\n2026-01-01,TV\n")
    (landing / "crm" / "marketing_spend_good.csv").write_text(SPEND)
    result = _materialize(ingest_assets.build_raw_asset(MARKETING_SPEND), warehouse_env)

    assert result.success
    assert "STEP_UP_FOR_RETRY" not in _event_types(result)
    [materialization] = result.get_asset_materialization_events()
    metadata = materialization.materialization.metadata
    assert metadata["files_loaded"].value == 1 and metadata["files_failed"].value == 1
    listed = metadata["failed_files"].value
    assert "marketing_spend_broken.csv" in listed and "missing required column" in listed
    assert "spend_eur" in listed
