"""The landing sensor: when a CRM, ledger or review export lands, load it and rebuild what
depends on it.

Survey exports have their own sensor and job (orchestration/surveys/assets.py).
"""

import json

import dagster as dg

from common.settings import archive_dir, landing_dir
from ingest.crm import CRM_SOURCES
from ingest.landing import landed_files
from ingest.landing_watch import describe_failed, failed_files, file_stamps, new_files
from ingest.ledger import LEDGER_SOURCES
from ingest.review_export_loader import FOLDER as REVIEW_FOLDER
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES
from orchestration.jobs import daily_refresh_job
from orchestration.transform.assets import daily_fact_assets

# raw asset name -> (folder under $ROX_LANDING_DIR, file pattern)
EXPORT_SOURCES = {
    **{source.name: (source.folder, source.pattern) for source in (*CRM_SOURCES, *LEDGER_SOURCES)},
    **{source.name: (REVIEW_FOLDER, source.pattern) for source in REVIEW_EXPORT_SOURCES},
}


@dg.sensor(
    job=daily_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Runs the raw assets of the CRM, ledger and review exports new in $ROX_LANDING_DIR "
        "(crm/, ledger/, reviews/) and everything downstream of them; files already loaded are "
        "not asked for."
    ),
)
def export_files_sensor(context: dg.SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    cursor, changed, failed = {}, {}, {}
    for source, (folder, pattern) in EXPORT_SOURCES.items():
        files = landed_files(landing_dir(), folder, pattern)
        cursor[source] = file_stamps(files)
        if new := new_files(files, seen.get(source), archive_dir(), source):
            changed[source] = {name: cursor[source][name] for name in new}
        failed.update(
            {f"{source}/{n}": r for n, r in failed_files(files, archive_dir(), source).items()}
        )
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    # Failed files stay archived, so they are not asked for again until they change.
    note = f"; failed, not retried until replaced: {describe_failed(failed)}" if failed else ""
    if failed:
        context.log.warning(f"export files that failed to load{note}")
    if not changed:
        return dg.SkipReason(f"no new CRM or review exports in {landing_dir()}{note}")
    raw = [dg.AssetKey(["raw", source]) for source in changed]
    # The daily facts (partitioned by date) are left to the daily schedule's partition run.
    selection = dg.AssetSelection.assets(
        *raw
    ).downstream().required_multi_asset_neighbors() - dg.AssetSelection.assets(daily_fact_assets)
    keys = selection.resolve(context.repository_def.asset_graph)
    return dg.RunRequest(
        run_key=json.dumps(changed, sort_keys=True),
        asset_selection=sorted(keys, key=lambda key: key.path),
        tags={"rox/landed_sources": ",".join(sorted(changed))},
    )
