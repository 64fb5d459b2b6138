"""The survey landing sensor and its job: load new survey exports, rebuild what reads them."""

import json

import dagster as dg

from common.settings import archive_dir, landing_dir
from ingest.landing_watch import describe_failed, failed_files, file_stamps, new_files
from ingest.survey_loader import FOLDER, SOURCE, survey_files
from orchestration.surveys.assets import SURVEY_ANSWERS
from orchestration.transform.assets import daily_fact_assets

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
    description=(
        f"Runs survey_refresh when a file in $ROX_LANDING_DIR/{FOLDER}/ is new or changed; "
        "lists the files that failed to load (not asked for again until they change)."
    ),
)
def survey_files_sensor(context: dg.SensorEvaluationContext):
    # With no cursor yet, files already archived (so loaded) are not asked for again.
    seen = json.loads(context.cursor) if context.cursor else None
    files = survey_files(landing_dir())
    current = file_stamps(files)
    changed = new_files(files, seen, archive_dir(), SOURCE)
    context.update_cursor(json.dumps(current, sort_keys=True))
    # Failed files stay archived, so they are not asked for again until they change.
    failed = failed_files(files, archive_dir(), SOURCE)
    note = f"; failed, not retried until replaced: {describe_failed(failed)}" if failed else ""
    if failed:
        context.log.warning(f"survey files that failed to load{note}")
    if not changed:
        return dg.SkipReason(f"no new files in {landing_dir() / FOLDER}{note}")
    return dg.RunRequest(run_key=json.dumps({n: current[n] for n in changed}, sort_keys=True))
