"""How the Python marts read their inputs: a dbt model's columns, whole, in a fixed order.

The modelling is in dbt (compact inputs: one row per customer, per customer x touchpoint x
month, per scope x period); these helpers only fetch them. Every read has an order, so the
seeded resampling downstream sees the same rows in the same order on a rebuild of the same
data. Names are the assets' own constants, checked before they reach SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.sql import checked_identifier

if TYPE_CHECKING:
    import pandas as pd


def _relation(name: str) -> str:
    schema, _, table = name.partition(".")
    return f"{checked_identifier(schema)}.{checked_identifier(table)}"


def read_relation(
    con, relation: str, columns: list[str] | None = None, *, order_by: list[str]
) -> pd.DataFrame:
    """`relation`'s rows (all columns, or `columns`) sorted by `order_by` (nulls last).

    The order is required: a frame must never depend on how the engine happened to store rows.
    """
    if not order_by:
        raise ValueError(f"reading {relation} needs an order")
    select = ", ".join(checked_identifier(c) for c in columns) if columns else "*"
    order = ", ".join(f"{checked_identifier(c)} nulls last" for c in order_by)
    return con.execute(f"select {select} from {_relation(relation)} order by {order}").df()


def column_max(con, relation: str, column: str):
    """The largest value of `column` in `relation` (None when empty)."""
    return con.execute(
        f"select max({checked_identifier(column)}) from {_relation(relation)}"
    ).fetchall()[0][0]
