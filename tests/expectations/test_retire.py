"""Retiring a file removes its rows from raw, records why, and is refused when unclear."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from expectations.retire import RetireError, retire_file, retired_since
from ingest.crm import SALESFORCE_ORDERS
from ingest.csv_loader import load_csv_source
from tests.helpers import land_orders, order_line


@pytest.fixture
def loaded(tmp_path):
    """Two order exports loaded into a warehouse file."""
    landing = tmp_path / "landing"
    land_orders(landing, "salesforce_orders_a.csv", [order_line(i) for i in range(5)])
    land_orders(landing, "salesforce_orders_b.csv", [order_line(i) for i in range(5, 8)])
    database = tmp_path / "warehouse" / "rox.duckdb"
    database.parent.mkdir()
    with duckdb.connect(str(database)) as con:
        load_csv_source(con, SALESFORCE_ORDERS, landing, tmp_path / "archive")
    return database


def test_retiring_a_file_removes_its_rows_and_records_why(loaded) -> None:
    with duckdb.connect(str(loaded)) as con:
        before = con.execute("select now()::timestamp - interval 1 minute").fetchall()[0][0]
        removed = retire_file(con, "salesforce_orders_b.csv", "test export, sent by mistake")
        assert removed == {"raw.salesforce_orders": 3}
        files = con.execute("select distinct _source_file from raw.salesforce_orders").fetchall()
        assert files == [("salesforce_orders_a.csv",)]
        (line,) = con.execute(
            "select table_name, file_name, rows_removed, reason from raw.retired_files"
        ).fetchall()
        assert line == (
            "raw.salesforce_orders",
            "salesforce_orders_b.csv",
            3,
            "test export, sent by mistake",
        )
        assert retired_since(con, "raw.salesforce_orders", before) == 3
        # The file stays loaded (the same bytes are not loaded again) and retired once.
        assert con.execute("select count(*) from raw.load_log").fetchall() == [(2,)]
        with pytest.raises(RetireError, match="already retired"):
            retire_file(con, "salesforce_orders_b.csv", "again")


def test_an_unknown_file_or_no_reason_is_refused(loaded) -> None:
    with duckdb.connect(str(loaded)) as con:
        with pytest.raises(RetireError, match="no file of that name"):
            retire_file(con, "salesforce_orders_c.csv", "why")
        with pytest.raises(RetireError, match="give a reason"):
            retire_file(con, "salesforce_orders_a.csv", " ")
        assert con.execute("select count(*) from raw.salesforce_orders").fetchall() == [(8,)]


def test_the_command_retires_by_sha256_and_rewrites_the_parquet_copy(loaded, tmp_path) -> None:
    with duckdb.connect(str(loaded), read_only=True) as con:
        (sha,) = con.execute(
            "select file_sha256 from raw.load_log where file_name = 'salesforce_orders_a.csv'"
        ).fetchall()[0]
    parquet = tmp_path / "parquet"
    env = {"ROX_WAREHOUSE": str(loaded), "ROX_RAW_PARQUET_DIR": str(parquet), "PATH": "/usr/bin"}
    command = [sys.executable, "-m", "expectations.retire", sha, "--reason", "duplicate export"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"raw.salesforce_orders: 5 row(s) of {sha} removed" in done.stdout
    copy = duckdb.sql(f"select count(*) from '{parquet}/salesforce_orders/data.parquet'").fetchall()
    assert copy == [(3,)]
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert (
        again.returncode == 2
        and "not retired" in again.stderr
        and "already retired" in again.stderr
    )
