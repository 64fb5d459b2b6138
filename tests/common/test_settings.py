"""The DuckDB memory limit: one setting, read by the Dagster resource and by dbt's profile."""

from __future__ import annotations

import duckdb
import pytest

from common.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, duckdb_memory_limit
from orchestration.resources import WarehouseDuckDB


def test_the_memory_limit_defaults_and_reads_the_environment(monkeypatch):
    monkeypatch.delenv("ROX_DUCKDB_MEMORY_LIMIT", raising=False)
    assert duckdb_memory_limit() == DEFAULT_DUCKDB_MEMORY_LIMIT
    monkeypatch.setenv("ROX_DUCKDB_MEMORY_LIMIT", "1.5 GiB")
    assert duckdb_memory_limit() == "1.5GiB"


@pytest.mark.parametrize("value", ["lots", "3", "3GB; drop table x", "-1GB"])
def test_a_memory_limit_that_is_not_a_size_is_refused_with_the_variable_named(monkeypatch, value):
    monkeypatch.setenv("ROX_DUCKDB_MEMORY_LIMIT", value)
    with pytest.raises(ValueError, match="ROX_DUCKDB_MEMORY_LIMIT"):
        duckdb_memory_limit()


def test_the_warehouse_resource_sets_the_limit_on_its_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("ROX_DUCKDB_MEMORY_LIMIT", "512MB")
    database = tmp_path / "rox.duckdb"
    with WarehouseDuckDB(database=str(database)).get_connection() as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    # DuckDB reports the limit in binary units (512 MB = 488.2 MiB).
    assert limit == "488.2 MiB"
    with duckdb.connect(str(database)) as fresh:
        assert fresh.execute("select 1").fetchone() == (1,)
