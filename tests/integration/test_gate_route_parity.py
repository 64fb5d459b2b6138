"""Every suite gives the same outcomes on GE's SQL engine (how the gates run) as on GE's pandas
engine (how they ran before), on the small demo warehouse with bad rows planted in every raw
table and mart, so failing cases are compared too.

The pandas route lives here only, as the reference: GE's pandas engine is an independent
implementation of the same expectations (counts, observed values, samples), a stronger oracle
than SQL counts written for the test, which could share the gates' own mistakes.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from common.sql import quote_identifier
from expectations import marts, raw_crm, raw_reviews, raw_surveys, staging
from expectations.runner import (
    SUITE_INDEX,
    import_great_expectations,
    in_suite_order,
    outcome_of,
    validate_table,
)
from expectations.spec import Expect

NUMERIC = ("DOUBLE", "BIGINT", "INTEGER", "DECIMAL", "FLOAT", "HUGEINT", "SMALLINT")
# GE returns at most 20 unexpected values, in the engine's order: beyond that the two routes
# may sample different rows.
COMPARABLE_SAMPLES = 20


def every_suite() -> list[tuple[str, list[Expect], str]]:
    return [
        *((f"raw.{t}", e, raw_crm.SUITE_NAME) for t, e in raw_crm.RAW_CRM_SUITE.items()),
        *((f"raw.{t}", e, raw_surveys.SUITE_NAME) for t, e in raw_surveys.RAW_SURVEY_SUITE.items()),
        *((f"raw.{t}", e, raw_reviews.SUITE_NAME) for t, e in raw_reviews.RAW_REVIEW_SUITE.items()),
        *((f"staging.{t}", e, staging.SUITE_NAME) for t, e in staging.STAGING_SUITE.items()),
        *((f"marts.{t}", e, marts.SUITE_NAME) for t, e in marts.MARTS_SUITE.items()),
    ]


def plant_bad_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Three duplicated rows; then, on the first rows, a number -1000, a date in 1990, a text
    'bogus' and nulls (where the column takes them); the row of nulls twice (a duplicate key
    with a null part); NaN in every DOUBLE column of another row."""
    t = f"{schema}.{table}"
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if con.execute(f"select count(*) from {t}").fetchall()[0][0] < 5:
        return
    con.execute(f"insert into {t} select * from {t} order by all limit 3")
    first = con.execute(f"select min(rowid) from {t}").fetchall()[0][0]
    for name, kind in columns:
        if kind.startswith(NUMERIC):
            value, row = "-1000", first
        elif kind in ("DATE", "TIMESTAMP"):
            value, row = "'1990-01-01'", first + 1
        elif kind == "VARCHAR":
            value, row = "'bogus'", first + 2
        else:
            continue
        for planted, at in ((value, row), ("null", first + 3)):
            with contextlib.suppress(duckdb.Error):  # a NOT NULL column
                con.execute(
                    f"update {t} set {quote_identifier(name)} = {planted} where rowid = {at}"
                )
    con.execute(f"insert into {t} select * from {t} where rowid = {first + 3}")
    for name, kind in columns:
        if kind == "DOUBLE":  # NaN: a missing value to pandas, a number to DuckDB
            con.execute(
                f"update {t} set {quote_identifier(name)} = 'nan' where rowid = {first + 4}"
            )


@pytest.fixture(scope="module")
def warehouse(built_small_warehouse, small_demo, tmp_path_factory) -> Path:
    """A copy of the built small demo with the Python marts, then bad rows in every raw table
    and mart (the staging views read the broken raw tables)."""
    from orchestration.definitions import build_definitions
    from orchestration.marts import python_mart_keys

    root = tmp_path_factory.mktemp("parity")
    database = root / "rox.duckdb"
    shutil.copyfile(built_small_warehouse, database)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(database))
        mp.setenv("ROX_LANDING_DIR", str(small_demo.landing))
        mp.setenv("ROX_RAW_PARQUET_DIR", str(root / "parquet"))
        defs = build_definitions()
        result = dg.materialize(
            list(defs.assets),
            selection=dg.AssetSelection.assets(*python_mart_keys()),
            resources=defs.resources,
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    assert result.success, [str(e) for e in result.all_events if e.is_failure]
    with duckdb.connect(str(database)) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            plant_bad_rows(con, schema, table)
    return database


def pandas_outcomes(con: duckdb.DuckDBPyConnection, table: str, expectations: list[Expect]):
    """The suite on a pandas frame of the columns it checks, as the gates ran before."""
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
        context.data_sources.add_pandas(name="frames")
        .add_dataframe_asset(name="frame")
        .add_batch_definition_whole_dataframe(name="whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="pandas")
    for index, expect in enumerate(expectations):
        gx_class = getattr(gx.expectations, expect.type)
        suite.add_expectation(gx_class(**expect.kwargs, meta={SUITE_INDEX: index}))
    validation = batch.validate(suite, result_format="SUMMARY")
    results = in_suite_order(validation, len(expectations)).values()
    return [outcome_of(e, r) for e, r in zip(expectations, results, strict=True)], len(frame)


def comparable(outcome):
    samples = outcome.sample_values
    if (outcome.unexpected_count or 0) > COMPARABLE_SAMPLES:
        samples = None
    return (outcome.success, outcome.observed, outcome.unexpected_count, samples)


def test_every_suite_has_the_same_outcomes_on_both_routes(warehouse) -> None:
    compared = failing = 0
    differences = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, expectations, suite in every_suite():
            if not expectations:
                continue
            sql = validate_table(con, table, expectations, suite)
            reference, rows = pandas_outcomes(con, table, expectations)
            assert sql.rows == rows, table
            for mine, theirs in zip(sql.results, reference, strict=True):
                compared += 1
                failing += not theirs.success
                if comparable(mine) != comparable(theirs):
                    differences.append((table, mine, theirs))
    assert differences == []
    # Every expectation of every suite compared, most of them failing on the planted rows.
    assert compared == sum(len(e) for _, e, _ in every_suite())
    assert failing > compared / 2, (compared, failing)
