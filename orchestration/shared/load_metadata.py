"""What every file-loading asset reports: files loaded and skipped, rows, rejects, the table."""

import datetime as dt

import dagster as dg

from common.settings import raw_parquet_dir
from ingest.file_loads import LoadReport
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
    for failed in report.files_failed:
        context.log.error(f"{failed.file_name} not loaded ({failed.status}): {failed.reason}")
    return {
        "files_loaded": len(report.files_loaded),
        "files_skipped": len(report.files_skipped),
        "files_failed": len(report.files_failed),
        "failed_files": dg.MetadataValue.md(failed_files_markdown(report)),
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        **table_metadata(con, table),
        **arrival_metadata(
            con,
            "select max(loaded_at) from raw.load_log where source = ? and status = 'loaded'",
            [report.source],
        ),
        "parquet_copy": dg.MetadataValue.path(str(parquet)),
        "files": dg.MetadataValue.md(files_markdown(report)),
    }


def _describe(f) -> str:
    if f.skipped:
        return "already loaded"
    if f.failed:
        return f"**{f.status}**: {f.reason}"
    if f.status == "retired":
        return f"retired: {f.reason}"
    notes = "".join(f", {k}: {v}" for k, v in f.notes.items())
    return f"{f.rows_loaded} rows, {f.rows_rejected} rejected{notes}"


def files_markdown(report: LoadReport) -> str:
    lines = [f"- `{f.file_name}` sha256 `{f.sha256[:12]}`: {_describe(f)}" for f in report.files]
    return "\n".join(lines) or "no files landed"


def failed_files_markdown(report: LoadReport) -> str:
    """The files that did not load, with why: what to fix, then retry or retire (README)."""
    lines = [
        f"- `{f.file_name}` sha256 `{f.sha256[:12]}` ({f.status}): {f.reason}"
        for f in report.files_failed
    ]
    return "\n".join(lines) or "none"


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
