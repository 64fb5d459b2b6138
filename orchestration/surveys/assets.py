"""Survey answers: the raw asset that loads new survey exports."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import archive_dir, landing_dir, raw_parquet_dir, survey_mapping_path
from ingest.parquet_export import export_table_parquet
from ingest.survey_loader import FOLDER, SOURCE, TABLE, load_survey_files
from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.load_metadata import finish_raw_load
from orchestration.shared.retries import INGEST_RETRIES, fail_fast_on_bad_data

SURVEY_ANSWERS = dg.AssetKey(["raw", SOURCE])


@dg.asset(
    key=SURVEY_ANSWERS,
    group_name="raw",
    owners=["team:data-engineering"],
    kinds={"duckdb", "csv"},
    pool=WAREHOUSE_POOL,
    description=(
        "Survey exports (Qualtrics, SurveyMonkey, generic long CSV; CSV, TSV or XLSX) from "
        f"$ROX_LANDING_DIR/{FOLDER}/: raw.survey_answers (one row per answer, with the metric the "
        "survey mapping gives it) and raw.survey_responses (one row per response). Each file "
        "loads once (by SHA-256); rejected rows go to raw.rejected_rows; a file that fails is "
        "listed in the metadata and the check failed_files, and never blocks the others."
    ),
    retry_policy=INGEST_RETRIES,
)
def survey_answers(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    from ingest.survey_mapping import load_survey_mapping

    with fail_fast_on_bad_data():
        mapping = load_survey_mapping(survey_mapping_path())
    with fail_fast_on_bad_data(), duckdb.get_connection() as con:
        report = load_survey_files(con, landing_dir(), archive_dir(), mapping)
        metadata = finish_raw_load(context, con, report, TABLE)
        export_table_parquet(con, "raw", "survey_responses", raw_parquet_dir())
        metadata["responses_loaded"] = sum(f.notes.get("responses", 0) for f in report.files)
    metadata["survey_mapping"] = dg.MetadataValue.path(str(survey_mapping_path()))
    return dg.MaterializeResult(metadata=metadata)
