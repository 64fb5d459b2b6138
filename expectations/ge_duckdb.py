"""Great Expectations' SQL execution engine on DuckDB: the one place that fixes GE 1.24 for it.

Why a fix is needed. `SqlAlchemyExecutionEngine.execute_query` (great_expectations/
execution_engine/sqlalchemy_execution_engine.py, GE 1.24.1 lines 1587-1590) is

    with self.get_connection() as connection:
        result = self._execute_query_with_recovery(connection, query)
    return result

so every caller's `fetchall()` / `fetchmany()` / `scalar()` runs after the connection went back
to the pool. duckdb-engine's DB-API cursor is the DuckDB connection itself, and the rollback
SQLAlchemy issues on release drops its pending result: the caller sees no rows and
`resolve_metric_bundle` fails with IndexError (`res[0]`). Buffering the rows while the
connection is still checked out fixes all of GE's ~50 call sites at once.

The fix follows the way GE itself specialises a dialect (SqliteDatasource + SqliteExecutionEngine):
an engine subclass and a datasource subclass whose `execution_engine_type` returns it. Nothing of
GE is patched; other datasources keep GE's engine. `register()` defines both once per process,
after GE is imported (importing GE costs seconds, so this module imports nothing of it at load).

The same engine also gets a NULL-safe compound-uniqueness metric (see `register`).
"""

from __future__ import annotations

import functools
from typing import Literal  # pydantic resolves the datasource's `type` annotation at runtime

# `context.data_sources.add_duckdb(...)` exists once `register()` has run.
DATASOURCE_TYPE = "duckdb"


@functools.cache
def register() -> type:
    """Define GE's DuckDB datasource (and its engine and metric) once; return the datasource class.

    Call after `expectations.runner.import_great_expectations()` (GE must be imported with
    pyspark hidden); every context then has `context.data_sources.add_duckdb(name=, ...)`.
    """
    import sqlalchemy as sa
    from great_expectations.datasource.fluent import SQLDatasource
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine
    from great_expectations.expectations.metrics.map_metric_provider.multicolumn_function_partial import (  # noqa: E501
        multicolumn_function_partial,
    )
    from great_expectations.expectations.metrics.multicolumn_map_metrics.compound_columns_unique import (  # noqa: E501
        CompoundColumnsUnique,
    )

    class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
        """SqlAlchemyExecutionEngine whose query results survive the connection's release."""

        def execute_query(self, query):
            # GE's version returns the live cursor result after leaving the `with`: read the rows
            # inside it and hand back a Result over the buffered rows (fetchall / fetchmany /
            # fetchone / scalar / keys behave as on the live one).
            with self.get_connection() as connection:
                result = self._execute_query_with_recovery(connection, query)
                # A statement without rows (DDL) has nothing to buffer; freeze() would raise.
                return result.freeze()() if result.returns_rows else result

    class DuckDBCompoundColumnsUnique(CompoundColumnsUnique):
        """`compound_columns.count` on DuckDB as a window count (as GE already does for MySQL).

        GE's generic SQL (compound_columns_unique.py) joins the group counts back on
        `group.col = table.col`; NULL = NULL is not true, so a row with a null in any key column
        drops out and is never a duplicate, while GE's pandas engine (`duplicated()`) counts two
        (review_id, updated_at = NULL) rows as duplicates. PARTITION BY groups nulls together,
        as pandas does. Registered for DuckDBExecutionEngine only.
        """

        @multicolumn_function_partial(engine=DuckDBExecutionEngine)
        def _sqlalchemy_function(cls, column_list, **kwargs):
            rows = [sa.column(name) for name in kwargs["_table_columns"]]
            key = [sa.column(name) for name in kwargs["_column_names"]]
            count = sa.func.count().over(partition_by=key).label("_num_rows")
            return sa.select(*rows, count).select_from(kwargs["_table"]).alias("counted")

    class DuckDBDatasource(SQLDatasource):
        """A SQL datasource for duckdb-engine (`duckdb:///...` URLs) on the fixed engine."""

        type: Literal["duckdb"] = DATASOURCE_TYPE  # registers `data_sources.add_duckdb`

        @property
        def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
            return DuckDBExecutionEngine

    return DuckDBDatasource
