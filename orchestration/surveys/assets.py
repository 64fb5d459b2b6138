"""Survey answers: the raw asset that loads new survey exports."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import archive_dir, landing_dir, survey_mapping_path
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
        "Survey answers (Qualtrics, SurveyMonkey, generic long CSV) from $ROX_LANDING_DIR/"
        f"{FOLDER}/, one row per answer, with the metric the survey mapping gives each question. "
        "Each file loads once (by SHA-256); out-of-scale answers go to raw.rejected_rows."
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
    metadata["survey_mapping"] = dg.MetadataValue.path(str(survey_mapping_path()))
    return dg.MaterializeResult(metadata=metadata)
