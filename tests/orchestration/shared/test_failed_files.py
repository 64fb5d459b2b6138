"""The failed_files check warns while a failed file is not replaced, and passes once it is."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from ingest.crm import MARKETING_SPEND
from orchestration.crm.assets import build_raw_asset
from orchestration.shared.failed_files import build_failed_files_check

GOOD = "month,channel,spend_eur\n2026-01-01,Paid Search,120.50\n"


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warehouse_env: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "crm").mkdir(parents=True)
    monkeypatch.setenv("ROX_LANDING_DIR", str(landing))
    monkeypatch.setenv("ROX_RAW_PARQUET_DIR", str(tmp_path / "parquet"))
    return landing


def _run(warehouse: Path) -> dg.AssetCheckEvaluation:
    result = dg.materialize(
        [build_raw_asset(MARKETING_SPEND), build_failed_files_check(MARKETING_SPEND.name)],
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def test_warns_until_a_corrected_file_of_the_same_name_loads(landing, warehouse_env) -> None:
    path = landing / "crm" / "marketing_spend_2026.csv"
    path.write_text("month,channel\n2026-01-01,TV\n")
    failing = _run(warehouse_env)
    assert not failing.passed and failing.severity == dg.AssetCheckSeverity.WARN
    assert failing.metadata["failed_files"].value == 1
    assert "marketing_spend_2026.csv" in failing.metadata["files"].value
    assert "missing required column" in failing.metadata["files"].value

    path.write_text(GOOD)  # the corrected export, same name, new bytes
    assert _run(warehouse_env).passed
