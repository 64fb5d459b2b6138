"""The volume gate check on a real DuckDB file: WARN with the spike days named."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from orchestration.quality.volume import source_volume_gate


def _warehouse(tmp_path, last_day_records: int) -> DuckDBResource:
    path = tmp_path / "rox.duckdb"
    days = pd.date_range("2026-09-01", "2026-10-31", freq="D")
    frame = pd.DataFrame(
        {"source": "survey:relationship_nps", "volume_date": days.date, "records": 120}
    )
    frame.loc[frame.index[-1], "records"] = last_day_records
    with duckdb.connect(str(path)) as con:
        con.execute("create schema intermediate")
        con.register("volumes", frame)
        con.execute("create table intermediate.int_source_daily_volumes as select * from volumes")
    return DuckDBResource(database=str(path))


def test_a_spike_warns_naming_the_source_and_day(tmp_path) -> None:
    result = source_volume_gate(duckdb=_warehouse(tmp_path, 14159))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert "survey:relationship_nps" in result.description
    assert "| survey:relationship_nps | 2026-10-31 | 14,159 | 120 |" in (
        result.metadata["spike_days"].value
    )


def test_an_ordinary_day_passes(tmp_path) -> None:
    result = source_volume_gate(duckdb=_warehouse(tmp_path, 130))
    assert result.passed and result.metadata["spikes"].value == 0
