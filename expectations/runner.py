"""Runs a suite inside DuckDB through Great Expectations' SQL execution engine.

GE compiles every metric to SQL and runs it in the warehouse (`expectations/ge_duckdb.py` holds
the fix GE 1.24 needs on DuckDB); nothing is copied into pandas. The batch is a query asset:
the table (optionally only some of its rows, `where`) plus the suite's derived columns. The
outcome is plain data plus a markdown rendering for Dagster metadata.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import sys
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from common.sql import quote_identifier
from expectations.spec import Expect

SAMPLE_VALUES = 5
# The `meta` key that carries each expectation's position in the suite (GE reorders results).
SUITE_INDEX = "suite_index"
# The row identity the runner adds to a batch when asked for the failing rows.
ROW_ID = "_rox_rowid"


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    success: bool
    observed: str
    unexpected_count: int | None
    sample_values: list[str]
    # Where each sample comes from ("orders.csv line 12"), when the gate could tell.
    sample_locations: list[str] = field(default_factory=list)

    @property
    def samples(self) -> list[str]:
        """The sample values with their location, as the report shows them."""
        located = zip(self.sample_values, self.sample_locations, strict=False)
        shown = [f"{v} ({where})" for v, where in located]
        return shown + self.sample_values[len(shown) :]


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    results: list[ExpectationOutcome]
    # What the batch was, when not the whole table ("3 new files"); shown in the report.
    scope: str = ""

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]


def import_great_expectations():
    """Import GE with pyspark hidden from it.

    GE probes for pyspark on import. pyspark 4 (installed for the Spark parity test) then loads
    its Spark Connect module, which exits the whole process when the main module has no file
    (as in `python -c` or some Dagster run workers) and pyarrow is missing. The suites run on
    DuckDB, so GE is told pyspark is absent unless something already imported it.
    """
    if "pyspark" not in sys.modules:
        sys.modules["pyspark"] = None  # type: ignore[assignment]  # import pyspark -> ImportError
        try:
            import great_expectations as gx
        finally:
            del sys.modules["pyspark"]
        return gx
    import great_expectations as gx

    return gx


def sample_text(value: Any) -> str:
    """A sample bad value as text: null for every kind of missing value, a DATE as a date (GE's
    pandas engine hands back midnight Timestamps), a DECIMAL as its float."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if type(value).__name__ in ("NaTType", "NAType"):  # pandas' missing values
        return "null"
    if isinstance(value, dict):  # a compound key: one row's values
        return "{" + ", ".join(f"{k}: {sample_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, dt.datetime) and value.tzinfo is None and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, decimal.Decimal):
        return str(float(value))
    return str(value)


def outcome_of(expect: Expect, result) -> ExpectationOutcome:
    """One GE result as plain data: observed value (or share), unexpected count, samples.

    GE's SQL leaves the order of unexpected rows to the database; sorting the (at most 20)
    samples it returns keeps the report stable. An empty batch counts 0 unexpected (GE's SQL
    says None).
    """
    details = result.result or {}
    observed = details.get("observed_value")
    if expect.reports_share and details.get("unexpected_percent") is not None:
        checked = details.get("element_count", 0) - details.get("missing_count", 0)
        observed = f"{1 - details['unexpected_percent'] / 100:.4f} of {checked:,}"
    elif observed is None and details.get("unexpected_percent") is not None:
        observed = f"{details['unexpected_percent']:.2f}% unexpected"
    unexpected = details.get("unexpected_count")
    if unexpected is None and details.get("element_count") == 0:
        unexpected = 0
    error = _error(result)
    samples = sorted(sample_text(v) for v in details.get("partial_unexpected_list") or [])
    return ExpectationOutcome(
        expectation=expect.label,
        success=bool(result.success) and not error,
        observed=f"error: {error}" if error else ("" if observed is None else str(observed)),
        unexpected_count=unexpected,
        sample_values=samples[:SAMPLE_VALUES],
    )


def _error(result) -> str | None:
    """The exception GE caught while computing an expectation, if any (a failure, not a pass)."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def batch_query(
    table: str,
    expectations: list[Expect],
    where: str | None = None,
    row_ids: bool = False,
    floats: tuple[str, ...] = (),
) -> str:
    """The SQL GE validates: the table's rows (those matching `where`) with the suite's derived
    columns and, with `row_ids`, each row's DuckDB rowid as ROW_ID.

    A NaN in the `floats` columns reads as null: for DuckDB NaN is a number above every other,
    so a range would fail on it, while pandas (and so the gates before they ran in SQL) take
    NaN for a missing value; a not-null expectation fails on it either way.
    """
    derived = {name: sql for e in expectations for name, sql in e.derived}
    star = "*"
    if floats:
        nan_as_null = (f"if(isnan({quote_identifier(c)}), null, {quote_identifier(c)}) "
                       f"as {quote_identifier(c)}" for c in floats)  # fmt: skip
        star = f"* replace ({', '.join(nan_as_null)})"
    columns = [star, *(f"{sql} as {quote_identifier(n)}" for n, sql in derived.items())]
    if row_ids:
        columns.append(f"rowid as {ROW_ID}")
    return f"select {', '.join(columns)} from {table}" + (f" where {where}" if where else "")


def float_columns(
    con: duckdb.DuckDBPyConnection, table: str, expectations: list[Expect]
) -> tuple[str, ...]:
    """The columns the suite checks that are floating point (and so may hold NaN)."""
    checked = {c for e in expectations for c in e.columns}
    described = con.execute(f"describe {table}").fetchall()
    return tuple(
        name for name, kind, *_ in described if name in checked and kind in ("DOUBLE", "FLOAT")
    )


def run_suite(
    con: duckdb.DuckDBPyConnection,
    query: str,
    expectations: list[Expect],
    suite: str,
    result_format: str | dict = "BASIC",
) -> tuple[list, int]:
    """GE's result of each expectation (in suite order) on the rows of `query`, and their count.

    BASIC gives counts, observed values and up to 20 unexpected values; SUMMARY would add
    value counts of those, one more query per expectation, which no report shows.

    GE's engine gets its connections as cursors of `con`: duckdb-engine opening the warehouse
    file itself fails next to an open connection in this process ("different configuration")
    and, from another process, on DuckDB's file lock. Its `:memory:` URL only selects the
    dialect.
    """
    gx = import_great_expectations()
    from duckdb_engine import ConnectionWrapper
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.ge_duckdb import register

    register()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_duckdb(
        name="warehouse",
        connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: ConnectionWrapper(con.cursor())},
    )
    gx_suite = gx.ExpectationSuite(name=suite)
    # GE keeps one of two equal expectations (whatever their meta): run each once.
    first = {}
    for index, expect in enumerate(expectations):
        first.setdefault(_identity(expect), index)
    for index in sorted(first.values()):
        expect = expectations[index]
        gx_class = getattr(gx.expectations, expect.type)
        gx_suite.add_expectation(gx_class(**expect.kwargs, meta={SUITE_INDEX: index}))
    # The row count: a metric most expectations compute anyway.
    count = len(expectations)
    gx_suite.add_expectation(
        gx.expectations.ExpectTableRowCountToBeBetween(min_value=0, meta={SUITE_INDEX: count})
    )
    try:
        batch = (
            datasource.add_query_asset(name="batch", query=query)
            .add_batch_definition_whole_table(name="whole")
            .get_batch()
        )
        validation = batch.validate(gx_suite, result_format=result_format)
    finally:
        # Both engines a fluent SQL datasource holds (its own tested the connection when it was
        # added): this closes their cursors, not `con`.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()
    by_index = in_suite_order(validation, [*sorted(first.values()), count])
    row_count = by_index.pop(count)
    results = [by_index[first[_identity(e)]] for e in expectations]
    return results, int(row_count.result.get("observed_value") or 0)


def _identity(expect: Expect) -> str:
    return repr((expect.type, sorted(expect.kwargs.items(), key=str)))


def in_suite_order(validation, indexes: list[int] | int) -> dict:
    """GE's result of each expectation, by its index in the suite (`indexes`, or range(n)).

    GE 1.24 regroups a suite by column before running it (validator/validator.py,
    `process_expectations_for_validation`), so `validation.results` is not in suite order
    whenever a column's expectations are not adjacent; each expectation carries its index.
    """
    wanted = range(indexes) if isinstance(indexes, int) else indexes
    by_index = {r.expectation_config.meta[SUITE_INDEX]: r for r in validation.results}
    return {i: by_index[i] for i in wanted}


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    expectations: list[Expect],
    suite: str,
    where: str | None = None,
    scope: str = "",
) -> SuiteOutcome:
    """Validate `table` (its rows matching the SQL condition `where`, if given) against
    `expectations`; never raises for failed expectations."""
    query = batch_query(table, expectations, where, floats=float_columns(con, table, expectations))
    results, rows = run_suite(con, query, expectations, suite)
    outcomes = [outcome_of(e, r) for e, r in zip(expectations, results, strict=True)]
    return SuiteOutcome(suite=suite, table=table, rows=rows, results=outcomes, scope=scope)


def count_rows(con: duckdb.DuckDBPyConnection, table: str, where: str | None = None) -> int:
    """Rows of `table` (matching `where`): a suite without expectations needs no GE."""
    sql = f"select count(*) from {table}" + (f" where {where}" if where else "")
    return int(con.execute(sql).fetchall()[0][0])


def to_markdown(outcome: SuiteOutcome) -> str:
    """A table of every expectation with its result, failures first."""
    scope = f", {outcome.scope}" if outcome.scope else ""
    lines = [
        f"**{outcome.suite}** on `{outcome.table}` ({outcome.rows:,} rows{scope}): "
        f"{len(outcome.failures)} of {len(outcome.results)} expectations failed",
        "",
        "| expectation | result | observed | unexpected | sample bad values |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in sorted(outcome.results, key=lambda r: r.success):
        samples = ", ".join(f"`{v}`" for v in r.samples)
        unexpected = "" if r.unexpected_count is None else f"{r.unexpected_count:,}"
        status = "pass" if r.success else "**FAIL**"
        lines.append(f"| `{r.expectation}` | {status} | {r.observed} | {unexpected} | {samples} |")
    return "\n".join(lines)


def with_results(outcome: SuiteOutcome, extra: list[ExpectationOutcome]) -> SuiteOutcome:
    """The outcome with table-level checks (personal data, row count, freshness) appended."""
    return replace(outcome, results=[*outcome.results, *extra])
