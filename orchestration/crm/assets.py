"""Raw assets: one per CRM source, each landing and loading its new export files."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import archive_dir, landing_dir, raw_parquet_dir
from ingest.crm import CRM_SOURCES
from ingest.csv_loader import CsvSource, load_csv_source
from ingest.parquet_export import export_table_parquet
from ingest.pseudonym import ensure_salt
from orchestration.resources import WAREHOUSE_POOL, PseudonymSalt
from orchestration.shared.load_metadata import finish_raw_load
from orchestration.shared.retries import INGEST_RETRIES, fail_fast_on_bad_data

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
        retry_policy=INGEST_RETRIES,
    )
    def _raw_asset(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        with fail_fast_on_bad_data(), duckdb.get_connection() as con:
            report = load_csv_source(con, source, landing_dir(), archive_dir())
            metadata = finish_raw_load(context, con, report, source.table)
        return dg.MaterializeResult(metadata=metadata)

    return _raw_asset


raw_crm_assets = [build_raw_asset(source) for source in CRM_SOURCES]
