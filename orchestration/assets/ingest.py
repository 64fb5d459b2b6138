"""Raw assets: one per CRM source, each landing and loading its new export files."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.crm import CRM_SOURCES
from ingest.csv_loader import CsvSource, load_csv_source
from ingest.parquet_export import export_table_parquet
from ingest.pseudonym import ensure_salt
from ingest.settings import archive_dir, landing_dir, raw_parquet_dir
from orchestration.resources import WAREHOUSE_POOL, PseudonymSalt

RAW_GROUP = "raw"
OWNERS = ["team:data-engineering"]


@dg.asset(
    key=["raw", "pseudonym_salt"],
    group_name=RAW_GROUP,
    owners=OWNERS,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="Secret salt for pseudonymous keys (ROX_PSEUDONYM_SALT, or generated once).",
)
def pseudonym_salt(duckdb: DuckDBResource, pseudonym_salt: PseudonymSalt) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        origin = ensure_salt(con, pseudonym_salt.salt)
        export_table_parquet(con, "raw", "pseudonym_salt", raw_parquet_dir())
    return dg.MaterializeResult(metadata={"salt_origin": origin})


def build_raw_asset(source: CsvSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source.name],
        group_name=RAW_GROUP,
        owners=OWNERS,
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=(
            f"{source.description} Loads new files matching `{source.folder}/{source.pattern}` "
            "in $ROX_LANDING_DIR once each (by SHA-256); untypable rows go to raw.rejected_rows."
        ),
        metadata={"landing_pattern": f"{source.folder}/{source.pattern}"},
    )
    def _raw_asset(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as con:
            report = load_csv_source(con, source, landing_dir(), archive_dir())
            total = con.execute(f"select count(*) from {source.table}").fetchall()[0][0]
            parquet = export_table_parquet(con, "raw", source.name, raw_parquet_dir())
        for name in report.files_loaded:
            context.log.info(f"loaded {name}")
        if report.rows_rejected:
            context.log.warning(
                f"{report.rows_rejected} row(s) of {source.name} rejected: see raw.rejected_rows"
            )
        return dg.MaterializeResult(
            metadata={
                "files_loaded": len(report.files_loaded),
                "files_skipped": len(report.files_skipped),
                "rows_loaded": report.rows_loaded,
                "rows_rejected": report.rows_rejected,
                "dagster/row_count": total,
                "parquet_copy": dg.MetadataValue.path(str(parquet)),
                "files": dg.MetadataValue.md(
                    "\n".join(
                        f"- `{f.file_name}` sha256 `{f.sha256[:12]}`: "
                        + (
                            "already loaded"
                            if f.skipped
                            else f"{f.rows_loaded} rows, {f.rows_rejected} rejected"
                        )
                        for f in report.files
                    )
                    or "no files landed"
                ),
            }
        )

    return _raw_asset


raw_crm_assets = [build_raw_asset(source) for source in CRM_SOURCES]
