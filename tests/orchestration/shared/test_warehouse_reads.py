"""The Python marts' reader: every read has an order, names never carry SQL."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.shared.warehouse_reads import column_max, read_relation
from tests.helpers import INJECTIONS


@pytest.fixture
def con():
    with duckdb.connect() as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.t as select * from "
            "(values (3, 'c'), (1, 'a'), (null, 'n'), (2, 'b')) v(customer_id, name)"
        )
        yield con


def test_rows_come_in_the_order_asked_for_nulls_last(con) -> None:
    frame = read_relation(con, "intermediate.t", ["customer_id", "name"], order_by=["customer_id"])
    assert frame["name"].tolist() == ["a", "b", "c", "n"]
    assert list(read_relation(con, "intermediate.t", order_by=["name"]).columns) == [
        "customer_id",
        "name",
    ]
    assert column_max(con, "intermediate.t", "customer_id") == 3


def test_a_read_without_an_order_or_with_sql_in_a_name_is_refused(con) -> None:
    with pytest.raises(ValueError, match="needs an order"):
        read_relation(con, "intermediate.t", order_by=[])
    for injection in INJECTIONS:
        with pytest.raises(ValueError, match="not a valid identifier"):
            read_relation(con, f"intermediate.{injection}", order_by=["name"])
        with pytest.raises(ValueError, match="not a valid identifier"):
            read_relation(con, "intermediate.t", [injection], order_by=["name"])
        with pytest.raises(ValueError, match="not a valid identifier"):
            read_relation(con, "intermediate.t", order_by=[injection])
    assert con.execute("select count(*) from intermediate.t").fetchall() == [(4,)]
