"""Runs a suite on a DuckDB table with an ephemeral Great Expectations context.

Only the columns the suite checks are read, into pandas (GE's SQL route on DuckDB returns no
results in GE 1.24). The outcome is plain data plus a markdown rendering for Dagster metadata.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import duckdb

from common.sql import quote_identifier
from expectations.spec import Expect

SAMPLE_VALUES = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    success: bool
    observed: str
    unexpected_count: int | None
    sample_values: list[str]


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    results: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]


def _outcome(expect: Expect, result) -> ExpectationOutcome:
    details = result.result or {}
    observed = details.get("observed_value")
    if expect.reports_share and details.get("unexpected_percent") is not None:
        checked = details.get("element_count", 0) - details.get("missing_count", 0)
        observed = f"{1 - details['unexpected_percent'] / 100:.4f} of {checked:,}"
    elif observed is None and details.get("unexpected_percent") is not None:
        observed = f"{details['unexpected_percent']:.2f}% unexpected"
    samples = details.get("partial_unexpected_list") or []
    return ExpectationOutcome(
        expectation=expect.label,
        success=bool(result.success),
        observed="" if observed is None else str(observed),
        unexpected_count=details.get("unexpected_count"),
        sample_values=[str(v) for v in samples[:SAMPLE_VALUES]],
    )


def import_great_expectations():
    """Import GE with pyspark hidden from it.

    GE probes for pyspark on import. pyspark 4 (installed for the Spark parity test) then loads
    its Spark Connect module, which exits the whole process when the main module has no file
    (as in `python -c` or some Dagster run workers) and pyarrow is missing. The pandas route
    needs no Spark, so GE is told pyspark is absent unless something already imported it.
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


def validate_table(
    con: duckdb.DuckDBPyConnection, table: str, expectations: list[Expect], suite: str
) -> SuiteOutcome:
    """Validate `table` against `expectations`; never raises for failed expectations."""
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    columns = sorted({c for e in expectations for c in e.columns})
    derived = {name: sql for e in expectations for name, sql in e.derived}
    select = ", ".join(
        f"{derived[c]} as {quote_identifier(c)}" if c in derived else quote_identifier(c)
        for c in columns
    )
    frame = con.execute(f"select {select} from {table}").df()

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(name="duckdb_frames")
        .add_dataframe_asset(name=table)
        .add_batch_definition_whole_dataframe(name="whole_table")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    gx_suite = gx.ExpectationSuite(name=suite)
    for expect in expectations:
        gx_suite.add_expectation(getattr(gx.expectations, expect.type)(**expect.kwargs))
    validation = batch.validate(gx_suite, result_format="SUMMARY")
    results = [
        _outcome(expect, result)
        for expect, result in zip(expectations, validation.results, strict=True)
    ]
    return SuiteOutcome(suite=suite, table=table, rows=len(frame), results=results)


def to_markdown(outcome: SuiteOutcome) -> str:
    """A table of every expectation with its result, failures first."""
    lines = [
        f"**{outcome.suite}** on `{outcome.table}` ({outcome.rows:,} rows): "
        f"{len(outcome.failures)} of {len(outcome.results)} expectations failed",
        "",
        "| expectation | result | observed | unexpected | sample bad values |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in sorted(outcome.results, key=lambda r: r.success):
        samples = ", ".join(f"`{v}`" for v in r.sample_values)
        unexpected = "" if r.unexpected_count is None else f"{r.unexpected_count:,}"
        status = "pass" if r.success else "**FAIL**"
        lines.append(f"| `{r.expectation}` | {status} | {r.observed} | {unexpected} | {samples} |")
    return "\n".join(lines)


def with_results(outcome: SuiteOutcome, extra: list[ExpectationOutcome]) -> SuiteOutcome:
    """The outcome with table-level checks (personal data, row count, freshness) appended."""
    return replace(outcome, results=[*outcome.results, *extra])
