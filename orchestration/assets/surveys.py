"""Survey answers: the raw asset, and the sensor that loads new exports as they land."""

import json

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.settings import archive_dir, landing_dir, survey_mapping_path
from ingest.survey_loader import FOLDER, SOURCE, TABLE, load_survey_files, survey_files
from orchestration.assets.load_metadata import finish_raw_load
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
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def survey_answers(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    from ingest.survey_mapping import load_survey_mapping

    mapping = load_survey_mapping(survey_mapping_path())
    with duckdb.get_connection() as con:
        report = load_survey_files(con, landing_dir(), archive_dir(), mapping)
        metadata = finish_raw_load(context, con, report, TABLE)
    metadata["survey_mapping"] = dg.MetadataValue.path(str(survey_mapping_path()))
    return dg.MaterializeResult(metadata=metadata)


survey_refresh_job = dg.define_asset_job(
    name="survey_refresh",
    selection=dg.AssetSelection.assets(SURVEY_ANSWERS)
    .downstream()
    .required_multi_asset_neighbors(),
    description="Load new survey exports and rebuild everything downstream of them.",
)


@dg.sensor(
    job=survey_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Runs survey_refresh when a file in $ROX_LANDING_DIR/{FOLDER}/ is new or changed.",
)
def survey_files_sensor(context: dg.SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    current = {
        path.name: f"{stat.st_size}:{stat.st_mtime_ns}"
        for path in survey_files(landing_dir())
        if (stat := path.stat())
    }
    changed = sorted(name for name, stamp in current.items() if seen.get(name) != stamp)
    if not changed:
        return dg.SkipReason(f"no new files in {landing_dir() / FOLDER}")
    context.update_cursor(json.dumps(current, sort_keys=True))
    return dg.RunRequest(run_key=json.dumps({n: current[n] for n in changed}, sort_keys=True))
