"""Child process of the benchmark: run the daily materialisation in-process, write its timeline.

    python -m bench.pipeline --partition 2026-10-31 --out events.json [--select raw/x ...]

Reads the paths from the environment like every other entry point (set by bench.run), runs the
job `daily_refresh` for one daily partition (or only the selected assets and their checks) with
the in-process executor on the instance in $DAGSTER_HOME, and writes every step event with its
timestamp as JSON. The parent process samples this process's memory and CPU time and turns the
events into stage timings (bench.report).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

STARTED_AT = time.time()

# dagster-dbt's per-node timing, on the materialisations and check results of dbt steps.
DBT_DURATION = "Execution Duration"


def event_record(entry: Any) -> dict[str, Any] | None:
    """The part of one Dagster event log entry the benchmark needs, as plain JSON."""
    event = entry.dagster_event
    if event is None:
        return None
    record: dict[str, Any] = {"t": entry.timestamp, "type": event.event_type_value}
    if entry.step_key:
        record["step"] = entry.step_key
    data = event.event_specific_data
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        record["check"] = data.check_name
        record["asset"] = data.asset_key.to_user_string()
        record["passed"] = bool(data.passed)
        metadata = data.metadata
    elif event.event_type_value == "ASSET_MATERIALIZATION":
        record["asset"] = event.asset_key.to_user_string()
        metadata = data.materialization.metadata
    elif event.event_type_value == "ASSET_OBSERVATION":
        record["asset"] = event.asset_key.to_user_string()
        metadata = data.asset_observation.metadata
    else:
        return record
    duration = metadata.get(DBT_DURATION)
    if duration is not None:
        record["dbt_s"] = float(getattr(duration, "value", duration))
    unique_id = metadata.get("unique_id")
    if unique_id is not None:
        record["unique_id"] = str(getattr(unique_id, "value", unique_id))
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--partition", required=True, help="the daily partition, YYYY-MM-DD")
    parser.add_argument("--select", nargs="*", default=None, help="asset keys, e.g. raw/x")
    args = parser.parse_args(argv)

    import dagster as dg

    from common.settings import landing_dir
    from demo.run import run_config
    from orchestration.definitions import build_definitions
    from orchestration.run_monitoring import (
        RUN_WORKER_TAG,
        fail_runs_whose_process_died,
        this_process,
    )

    defs = build_definitions()
    job = defs.resolve_job_def("daily_refresh")
    imported_at = time.time()
    selection = [dg.AssetKey.from_user_string(key) for key in args.select] if args.select else None
    with dg.DagsterInstance.get() as instance:
        # execute_in_process uses its own executor: record this process and free the slots of
        # dead runs here, as the definitions' executor does for every other run.
        fail_runs_whose_process_died(instance)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            partition_key=args.partition,
            # The generated company's settings (its addressable market grows with its size).
            run_config=run_config(landing_dir()),
            tags={RUN_WORKER_TAG: this_process()},
        )
        events = [r for r in map(event_record, instance.all_logs(result.run_id)) if r]
    finished_at = time.time()
    args.out.write_text(
        json.dumps(
            {
                "success": result.success,
                "run_id": result.run_id,
                "process_started_at": STARTED_AT,
                "definitions_loaded_at": imported_at,
                "finished_at": finished_at,
                "events": events,
            }
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
