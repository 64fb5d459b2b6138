"""The warehouse resource closes its connection even when the step using it fails."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.resources import WarehouseDuckDB


def test_a_failed_step_does_not_keep_the_warehouse_open(tmp_path) -> None:
    database = tmp_path / "warehouse.duckdb"
    resource = WarehouseDuckDB(database=str(database))
    with (
        pytest.raises(RuntimeError, match="step failed") as failure,
        resource.get_connection() as con,
    ):
        con.execute("create table t as select 1 as x")
        raise RuntimeError("step failed")
    assert failure.value is not None  # the traceback (and its frames) is still alive here
    # A reader with another configuration: refused while the failed step's connection lives.
    with duckdb.connect(str(database), read_only=True) as reader:
        assert reader.execute("select x from t").fetchall() == [(1,)]
