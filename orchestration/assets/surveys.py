"""Survey answers: the raw asset, and the sensor that loads new exports as they land."""

import json

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.landing_watch import file_stamps, new_files
from ingest.settings import archive_dir, landing_dir, survey_mapping_path
from ingest.survey_loader import FOLDER, SOURCE, TABLE, load_survey_files, survey_files
from orchestration.assets.dbt import daily_fact_assets
from orchestration.assets.load_metadata import finish_raw_load
from orchestration.assets.retries import INGEST_RETRIES, fail_fast_on_bad_data
from orchestration.resources import WAREHOUSE_POOL

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


survey_refresh_job = dg.define_asset_job(
    name="survey_refresh",
    # The daily facts (partitioned by date) are left to the daily schedule.
    selection=dg.AssetSelection.assets(SURVEY_ANSWERS).downstream().required_multi_asset_neighbors()
    - dg.AssetSelection.assets(daily_fact_assets),
    description="Load new survey exports and rebuild everything downstream of them.",
)


@dg.sensor(
    job=survey_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Runs survey_refresh when a file in $ROX_LANDING_DIR/{FOLDER}/ is new or changed.",
)
def survey_files_sensor(context: dg.SensorEvaluationContext):
    # With no cursor yet, files already archived (so loaded) are not asked for again.
    seen = json.loads(context.cursor) if context.cursor else None
    files = survey_files(landing_dir())
    current = file_stamps(files)
    changed = new_files(files, seen, archive_dir(), SOURCE)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason(f"no new files in {landing_dir() / FOLDER}")
    return dg.RunRequest(run_key=json.dumps({n: current[n] for n in changed}, sort_keys=True))
