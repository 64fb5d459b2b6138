"""Review assets, one per provider: the review API (incremental sync) and each app store."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import archive_dir, landing_dir, raw_parquet_dir
from ingest.parquet_export import export_table_parquet
from ingest.review_export_loader import (
    REVIEW_EXPORT_SOURCES,
    ReviewExportSource,
    load_review_exports,
)
from ingest.review_sync import ensure_review_tables
from orchestration.resources import WAREHOUSE_POOL, ReviewApi
from orchestration.shared.load_metadata import arrival_metadata, finish_raw_load, table_metadata
from orchestration.shared.retries import INGEST_RETRIES, fail_fast_on_bad_data

OWNERS = ["team:data-engineering"]


@dg.asset(
    key=["raw", "trustpilot_reviews"],
    group_name="raw",
    owners=OWNERS,
    kinds={"duckdb", "api"},
    pool=WAREHOUSE_POOL,
    retry_policy=INGEST_RETRIES,
    description=(
        "Reviews from the Trustpilot-shaped review API (ROX_REVIEW_API_URL), synced "
        "incrementally per business unit (ROX_REVIEW_BUSINESS_UNITS). Every page is landed in "
        "raw.review_api_pages before it is parsed (a body landed before is not stored again); "
        "every review version is kept; a review that fails validation goes to "
        "raw.rejected_rows (page URL, position, field, value) and the rest of its page loads."
    ),
)
def trustpilot_reviews(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, review_api: ReviewApi
) -> dg.MaterializeResult:
    from ingest.review_sync import sync_business_unit
    from ingest.reviews import ReviewApiAuthError, ReviewApiClient

    units = review_api.business_unit_ids
    reports = []
    # A refused API key would be refused again: fail at once; other API errors are retried.
    with fail_fast_on_bad_data(ReviewApiAuthError), duckdb.get_connection() as con:
        ensure_review_tables(con)
        if review_api.base_url and units:
            client = ReviewApiClient(review_api.base_url, api_key=review_api.api_key)
            reports = [sync_business_unit(con, client, unit) for unit in units]
        else:
            context.log.warning(
                "review API not configured (ROX_REVIEW_API_URL, ROX_REVIEW_BUSINESS_UNITS): "
                "nothing fetched"
            )
        table = table_metadata(con, "raw.trustpilot_reviews")
        arrival = arrival_metadata(con, "select max(fetched_at) from raw.trustpilot_reviews", [])
        export_table_parquet(con, "raw", "trustpilot_reviews", raw_parquet_dir())
    return dg.MaterializeResult(
        metadata={
            "configured": bool(review_api.base_url and units),
            "business_units": len(units),
            "pages": sum(r.pages for r in reports),
            "reviews_seen": sum(r.reviews_seen for r in reports),
            "reviews_inserted": sum(r.reviews_inserted for r in reports),
            "reviews_rejected": sum(r.reviews_rejected for r in reports),
            "pages_already_landed": sum(r.pages_already_landed for r in reports),
            **table,
            **arrival,
        }
    )


def build_review_export_asset(source: ReviewExportSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source.name],
        group_name="raw",
        owners=OWNERS,
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        retry_policy=INGEST_RETRIES,
        description=(
            f"{source.provider.replace('_', ' ').title()} review exports from "
            f"$ROX_LANDING_DIR/reviews/{source.pattern}, each file once (by SHA-256) and alone: "
            "invalid reviews go to raw.rejected_rows, a failed file is listed in the metadata and "
            "the check failed_files; an App Store page saved before the last is flagged partial."
        ),
    )
    def _asset(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        with fail_fast_on_bad_data(), duckdb.get_connection() as con:
            report = load_review_exports(con, source, landing_dir(), archive_dir())
            metadata = finish_raw_load(context, con, report, source.table)
        partial = [f for f in report.files if f.notes.get("partial")]
        for f in partial:
            context.log.warning(
                f"{f.file_name} is a partial page: {f.notes['reviews_in_file']} reviews of "
                f"{f.notes['paging_total'] or 'an unknown number'} (links.next is set)"
            )
        metadata["partial_files"] = dg.MetadataValue.md(
            "\n".join(
                f"- `{f.file_name}`: {f.notes['reviews_in_file']} reviews in the file, "
                f"meta.paging.total {f.notes['paging_total']}"
                for f in partial
            )
            or "none"
        )
        return dg.MaterializeResult(metadata=metadata)

    return _asset


review_export_assets = [build_review_export_asset(s) for s in REVIEW_EXPORT_SOURCES]
