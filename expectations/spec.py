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

    @property
    def columns(self) -> list[str]:
        if "column" in self.kwargs:
            return [self.kwargs["column"], *self.condition_columns]
        return [*self.kwargs.get("column_list", []), *self.condition_columns]

    @property
    def label(self) -> str:
        hidden = ("column", "column_list", "condition_parser")
        args = ", ".join(f"{k}={v}" for k, v in self.kwargs.items() if k not in hidden)
        target = ", ".join(c for c in self.columns if c not in self.condition_columns)
        return f"{self.type}({target}{'; ' + args if args else ''})"


def not_null(column: str) -> Expect:
    return Expect("ExpectColumnValuesToNotBeNull", {"column": column})


def unique_within_file(column: str) -> Expect:
    """Raw tables append every export, so an id repeats across files but never inside one."""
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": [column, "_file_sha256"]})


def at_least(column: str, minimum: float) -> Expect:
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, "min_value": minimum})


def between_where(column: str, low: float, high: float, where_column: str, equals: str) -> Expect:
    """`column` within [low, high] on the rows where `where_column` equals `equals`."""
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {
            "column": column,
            "min_value": low,
            "max_value": high,
            "row_condition": f'{where_column}=="{equals}"',
            "condition_parser": "pandas",
        },
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
    )
