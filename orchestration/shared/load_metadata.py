"""What every file-loading asset reports: files loaded and skipped, rows, rejects, the table."""

import datetime as dt

import dagster as dg

from common.settings import raw_parquet_dir
from ingest.csv_loader import LoadReport
from ingest.parquet_export import export_table_parquet


def finish_raw_load(
    context: dg.AssetExecutionContext, con, report: LoadReport, table: str
) -> dict[str, object]:
    """Write the raw table's Parquet copy, log rejects, and return the materialisation metadata."""
    name = table.split(".", 1)[1]
    parquet = export_table_parquet(con, "raw", name, raw_parquet_dir())
    for file_name in report.files_loaded:
        context.log.info(f"loaded {file_name}")
    if report.rows_rejected:
        context.log.warning(
            f"{report.rows_rejected} row(s) of {name} rejected: see raw.rejected_rows"
        )
    files = "\n".join(
        f"- `{f.file_name}` sha256 `{f.sha256[:12]}`: "
        + ("already loaded" if f.skipped else f"{f.rows_loaded} rows, {f.rows_rejected} rejected")
        for f in report.files
    )
    return {
        "files_loaded": len(report.files_loaded),
        "files_skipped": len(report.files_skipped),
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        **table_metadata(con, table),
        **arrival_metadata(
            con, "select max(loaded_at) from raw.load_log where source = ?", [report.source]
        ),
        "parquet_copy": dg.MetadataValue.path(str(parquet)),
        "files": dg.MetadataValue.md(files or "no files landed"),
    }


def table_metadata(con, table: str) -> dict[str, object]:
    """Row count and column schema of `schema.table`, as Dagster shows them on a materialisation."""
    schema, name = table.split(".", 1)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, name],
    ).fetchall()
    rows = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(columns=[dg.TableColumn(column, kind) for column, kind in columns])
        ),
    }


def arrival_metadata(con, sql: str, params: list) -> dict[str, object]:
    """When the source last delivered new data (`sql` returns a naive UTC timestamp or null).

    The freshness checks read `dagster/last_updated_timestamp` rather than the time of the
    materialisation: a raw asset materialises every day, even when no new file arrived.
    """
    newest = con.execute(sql, params).fetchall()[0][0]
    if newest is None:
        return {}
    arrived = newest.replace(tzinfo=dt.UTC)
    return {"dagster/last_updated_timestamp": dg.MetadataValue.timestamp(arrived)}
