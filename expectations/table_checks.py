"""Table-level gates that Great Expectations does not express on one frame: personal data in a
mart, the row count against the previous run, and how long ago a raw table was loaded.

Each returns `ExpectationOutcome`s, so they appear in the same report as the GE suite. One
DuckDB query each, no GE: they read the table's catalogue or one aggregate.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from common.sql import quote_identifier, quote_literal
from expectations.runner import SAMPLE_VALUES, ExpectationOutcome

# Person-identifying column names. Whole names or name tokens, so `initiative_name`,
# `touchpoint_label` or `contact_key` (a salted pseudonym) pass, while `email`,
# `requester_email`, `customer_name`, `phone_number` or `ip_address` fail.
PERSONAL_COLUMN = re.compile(
    r"(^|_)(e_?mail|phone|mobile)(_|$)"
    r"|^(name|first_name|last_name|full_name|contact_name|customer_name|ip|ip_address)$",
    re.IGNORECASE,
)
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


def _mask(value: str) -> str:
    """An address reduced to its shape, so the report itself leaks no personal data."""
    return re.sub(r"[A-Za-z0-9._%+-]+@", lambda m: m.group(0)[0] + "***@", value)


def personal_data_outcomes(con: duckdb.DuckDBPyConnection, table: str) -> list[ExpectationOutcome]:
    """No person-identifying column name, and no email address in any string column."""
    schema, name = table.split(".")
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    named = [c for c, _ in columns if PERSONAL_COLUMN.search(c)]
    results = [
        ExpectationOutcome(
            expectation="no personal-data column names (email, names, phone, IP)",
            success=not named,
            observed=f"{len(columns)} columns checked",
            unexpected_count=len(named),
            sample_values=named[:SAMPLE_VALUES],
        )
    ]
    strings = [c for c, t in columns if t == "VARCHAR"]
    found: dict[str, int] = {}
    samples: list[str] = []
    if strings:
        pattern = quote_literal(EMAIL_PATTERN)
        counts = ", ".join(
            f"count(*) filter (where regexp_matches({quote_identifier(c)}, {pattern}))"
            for c in strings
        )
        row = con.execute(f"select {counts} from {table}").fetchone()
        found = {c: n for c, n in zip(strings, row, strict=True) if n}
        for column in list(found)[:SAMPLE_VALUES]:
            value = con.execute(
                f"select {quote_identifier(column)} from {table} "
                f"where regexp_matches({quote_identifier(column)}, {pattern}) limit 1"
            ).fetchone()[0]
            samples.append(f"{column}: {_mask(value)}")
    results.append(
        ExpectationOutcome(
            expectation="no email addresses in string columns",
            success=not found,
            observed=f"{len(strings)} string columns scanned"
            + (f"; found in {', '.join(found)}" if found else ""),
            unexpected_count=sum(found.values()),
            sample_values=samples,
        )
    )
    return results


@dataclass(frozen=True)
class RowCountBounds:
    """How far a table's row count may move between two runs: fail when it shrinks by more than
    `max_shrink` (a share) or grows more than `max_growth` times."""

    max_shrink: float = 0.5
    max_growth: float = 10.0


def row_count_change_outcome(
    rows: int, previous: int | None, bounds: RowCountBounds = RowCountBounds(), retired: int = 0
) -> ExpectationOutcome:
    """The row count against the previous successful run's; passes when there is none or it
    was empty (nothing to compare with). Rows `retired` on purpose since then (a file retired:
    expectations/retire.py) count as still there."""
    label = (
        f"row count change within -{bounds.max_shrink:.0%} .. x{bounds.max_growth:g} "
        "of the previous run"
    )
    if previous is None or previous == 0:
        why = "no previous run" if previous is None else "previous run was empty"
        return ExpectationOutcome(label, True, f"{rows:,} rows; {why}", None, [])
    ratio = (rows + retired) / previous
    ok = (1 - bounds.max_shrink) <= ratio <= bounds.max_growth
    observed = f"{rows:,} rows, previous {previous:,} (x{ratio:.3g})"
    if retired:
        observed += f"; {retired:,} retired since, counted in"
    return ExpectationOutcome(label, ok, observed, None if ok else abs(rows - previous), [])


def freshness_outcome(
    con: duckdb.DuckDBPyConnection,
    table: str,
    max_age: dt.timedelta,
    column: str = "_loaded_at",
    now: dt.datetime | None = None,
) -> ExpectationOutcome:
    """The newest `column` (UTC, naive) is at most `max_age` old; an empty table passes (no
    source has delivered yet, which the source freshness checks report)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    newest = con.execute(f"select max({quote_identifier(column)}) from {table}").fetchone()[0]
    label = f"max({column}) within {max_age} of the check"
    if newest is None:
        return ExpectationOutcome(label, True, "no rows loaded yet", None, [])
    if newest.tzinfo is not None:
        newest = newest.astimezone(dt.UTC).replace(tzinfo=None)
    age = now - newest
    hours = age.total_seconds() / 3600
    return ExpectationOutcome(
        label, age <= max_age, f"newest {newest:%Y-%m-%d %H:%M} UTC, {hours:.1f} h old", None, []
    )
