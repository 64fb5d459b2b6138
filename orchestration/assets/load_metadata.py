"""What every file-loading asset reports: files loaded and skipped, rows, rejects, the table."""

import dagster as dg

from ingest.csv_loader import LoadReport
from ingest.parquet_export import export_table_parquet
from ingest.settings import raw_parquet_dir


def finish_raw_load(
    context: dg.AssetExecutionContext, con, report: LoadReport, table: str
) -> dict[str, object]:
    """Write the raw table's Parquet copy, log rejects, and return the materialisation metadata."""
    name = table.split(".", 1)[1]
    total = con.execute(f"select count(*) from {table}").fetchall()[0][0]
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
        "dagster/row_count": total,
        "parquet_copy": dg.MetadataValue.path(str(parquet)),
        "files": dg.MetadataValue.md(files or "no files landed"),
    }
