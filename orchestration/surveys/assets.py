"""Survey exports: the raw asset that loads new survey files into answers and responses, and
lands the survey mapping as tables for dbt to apply (on every run, so a corrected mapping
re-scores all history without re-loading a file)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import archive_dir, landing_dir, raw_parquet_dir, survey_mapping_path
from ingest.parquet_export import export_table_parquet
from ingest.survey_loader import FOLDER, SOURCE, TABLE, load_survey_files
from ingest.survey_mapping_tables import MAPPING_TABLES
from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.load_metadata import finish_raw_load, table_metadata
from orchestration.shared.retries import INGEST_RETRIES, fail_fast_on_bad_data

SURVEY_ANSWERS = dg.AssetKey(["raw", SOURCE])
SURVEY_RESPONSES = dg.AssetKey(["raw", "survey_responses"])
SURVEY_MAPPING_KEYS = [dg.AssetKey(table.split(".")) for table in MAPPING_TABLES]
OWNERS = ["team:data-engineering"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SURVEY_ANSWERS,
            group_name="raw",
            owners=OWNERS,
            kinds={"duckdb", "csv"},
            description=(
                "Survey answers (Qualtrics, SurveyMonkey, generic long CSV; CSV, TSV or XLSX) "
                f"from $ROX_LANDING_DIR/{FOLDER}/, one row per answered question as exported, "
                "with its question id; the survey mapping is applied in staging. Each file "
                "loads once (by SHA-256) "
                "and alone: rejected rows go to raw.rejected_rows, a failed file is listed in "
                "the metadata and the check failed_files."
            ),
        ),
        dg.AssetSpec(
            SURVEY_RESPONSES,
            group_name="raw",
            owners=OWNERS,
            kinds={"duckdb"},
            description=(
                "Survey responses, one row per response and export (those that answered "
                "nothing included), loaded with raw/survey_answers from the same files."
            ),
        ),
        *[
            dg.AssetSpec(
                key,
                group_name="raw",
                owners=OWNERS,
                kinds={"duckdb", "yaml"},
                description=(
                    f"The survey mapping ($ROX_SURVEY_MAPPING) as `{key.path[1]}`, resolved for "
                    "every survey id raw holds; replaced on every run, read by "
                    "stg_surveys__answer_scoring and stg_surveys__responses."
                ),
            )
            for key in SURVEY_MAPPING_KEYS
        ],
    ],
    name="survey_answers",
    pool=WAREHOUSE_POOL,
    retry_policy=INGEST_RETRIES,
)
def survey_answers(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    from ingest.survey_mapping import load_survey_mapping

    with fail_fast_on_bad_data():
        mapping = load_survey_mapping(survey_mapping_path())
    with fail_fast_on_bad_data(), duckdb.get_connection() as con:
        report = load_survey_files(con, landing_dir(), archive_dir(), mapping)
        metadata = finish_raw_load(context, con, report, TABLE)
        responses = table_metadata(con, "raw.survey_responses")
        parquet = export_table_parquet(con, "raw", "survey_responses", raw_parquet_dir())
        mapping_rows = {}
        for key in SURVEY_MAPPING_KEYS:  # Spark reads the Parquet copies
            export_table_parquet(con, *key.path, raw_parquet_dir())
            mapping_rows[key] = table_metadata(con, ".".join(key.path))
    metadata["survey_mapping"] = dg.MetadataValue.path(str(survey_mapping_path()))
    metadata["responses_loaded"] = sum(f.notes.get("responses", 0) for f in report.files)
    yield dg.MaterializeResult(asset_key=SURVEY_ANSWERS, metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=SURVEY_RESPONSES,
        metadata={**responses, "parquet_copy": dg.MetadataValue.path(str(parquet))},
    )
    for key, table in mapping_rows.items():
        yield dg.MaterializeResult(
            asset_key=key, metadata={**table, "mapping_sha256": mapping.sha256 or ""}
        )
