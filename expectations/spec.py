"""Expectations as plain data, so suites can be declared without importing Great Expectations.

Importing GE costs seconds; the runner imports it only when a suite actually runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Expect:
    """One expectation: the GE class name and its arguments."""

    type: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    # Columns a row condition reads, so the runner loads them too.
    condition_columns: tuple[str, ...] = ()
    # Computed columns (name, SQL expression on the table) the runner selects instead of reading.
    derived: tuple[tuple[str, str], ...] = ()
    # A readable name for the report, when the GE call would not say what is checked.
    description: str | None = None
    # Report the share of (non-null) values that pass, as for a ratio with a threshold.
    reports_share: bool = False
    # Arguments that move with the clock, left out of the suite fingerprint (expectations/scope).
    volatile: tuple[str, ...] = ()

    @property
    def row_level(self) -> bool:
        """Each failing row fails on its own (a null, a value out of range, a duplicate key), so
        moving those rows out of the way leaves a batch that passes; a share with a tolerance
        (`mostly`) is a property of the whole batch."""
        return self.type in ROW_LEVEL_TYPES and "mostly" not in self.kwargs

    @property
    def columns(self) -> list[str]:
        if "column" in self.kwargs:
            return [self.kwargs["column"], *self.condition_columns]
        return [*self.kwargs.get("column_list", []), *self.condition_columns]

    @property
    def label(self) -> str:
        if self.description:
            return self.description
        hidden = ("column", "column_list")
        args = ", ".join(f"{k}={_shown(v)}" for k, v in self.kwargs.items() if k not in hidden)
        target = ", ".join(c for c in self.columns if c not in self.condition_columns)
        return f"{self.type}({target}{'; ' + args if args else ''})"


ROW_LEVEL_TYPES = frozenset(
    {
        "ExpectColumnValuesToNotBeNull",
        "ExpectColumnValuesToBeBetween",
        "ExpectColumnValuesToBeInSet",
        "ExpectColumnValuesToBeUnique",
        "ExpectCompoundColumnsToBeUnique",
    }
)


def _shown(value: Any) -> Any:
    """A row condition (GE's condition in its dict form) as the comparison it is."""
    if isinstance(value, dict) and value.get("type") == "comparison":
        return f'{value["column"]["name"]}{value["operator"]}"{value["parameter"]}"'
    return value


def not_null(column: str) -> Expect:
    return Expect("ExpectColumnValuesToNotBeNull", {"column": column})


def unique_within_file(column: str) -> Expect:
    """Raw tables append every export, so an id repeats across files but never inside one."""
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": [column, "_file_sha256"]})


def at_least(column: str, minimum: float) -> Expect:
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, "min_value": minimum})


def between_where(column: str, low: float, high: float, where_column: str, equals: str) -> Expect:
    """`column` within [low, high] on the rows where `where_column` equals `equals`.

    The condition is GE 1.24's condition object in its plain dict form, which every engine
    accepts (the string form with `condition_parser` is deprecated, and the SQL engine rejects
    "pandas" conditions).
    """
    condition = {
        "type": "comparison",
        "column": {"name": where_column},
        "operator": "==",
        "parameter": equals,
    }
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high, "row_condition": condition},
        condition_columns=(where_column,),
    )


def unique_together(*columns: str) -> Expect:
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def in_set(column: str, values: list[str]) -> Expect:
    return Expect("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def valid_date(column: str, earliest: str = "2000-01-01") -> Expect:
    """A plausible date: not before `earliest` and not in the future (one day of clock slack)."""
    latest = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {
            "column": column,
            "min_value": dt.datetime.fromisoformat(earliest),
            "max_value": latest.replace(microsecond=0),
        },
        volatile=("max_value",),
    )


def between(column: str, low: float, high: float) -> Expect:
    return Expect(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high}
    )


def unique(column: str) -> Expect:
    return Expect("ExpectColumnValuesToBeUnique", {"column": column})


MATCHED = "<matched>"


def references(
    column: str,
    reference: str,
    reference_column: str | None = None,
    at_least: float = 0.99,
    where: str | None = None,
) -> Expect:
    """Referential integrity as a ratio: at least `at_least` of the non-null values of `column`
    (on the rows matching the SQL condition `where`) exist in `reference.reference_column`.

    The runner computes one column per row: null when not applicable, MATCHED when the value is
    found, else the value itself, so the report shows the observed share and the missing keys.
    """
    ref_column = reference_column or column
    name = f"_ref__{column}__{reference.replace('.', '__')}"
    applies = f"{column} is not null" + (f" and ({where})" if where else "")
    sql = (
        f"case when not ({applies}) then null "
        f"when {column} in (select r.{ref_column} from {reference} as r) then '{MATCHED}' "
        f"else {column}::varchar end"
    )
    scope = f" where {where}" if where else ""
    return Expect(
        "ExpectColumnValuesToBeInSet",
        {"column": name, "value_set": [MATCHED], "mostly": at_least},
        derived=((name, sql),),
        description=f"share of {column} in {reference}.{ref_column}{scope} >= {at_least:g}",
        reports_share=True,
    )
