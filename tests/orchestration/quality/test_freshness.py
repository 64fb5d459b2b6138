"""Freshness: a source whose newest data is too old fails its check, however recent the run."""

from __future__ import annotations

import time

import dagster as dg

from orchestration.quality.freshness import (
    DAILY_SOURCES,
    WEEKLY_SOURCES,
    source_freshness_checks,
)

HOUR = 3600.0


def _materialised(instance: dg.DagsterInstance, key: dg.AssetKey, arrived_hours_ago: float):
    """A materialisation now, of data that arrived `arrived_hours_ago`."""
    arrived = time.time() - arrived_hours_ago * HOUR
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            key, metadata={"dagster/last_updated_timestamp": dg.MetadataValue.timestamp(arrived)}
        )
    )


def test_a_source_that_stopped_arriving_fails_its_freshness_check() -> None:
    instance = dg.DagsterInstance.ephemeral()
    stopped, daily, weekly = DAILY_SOURCES[0], DAILY_SOURCES[1], WEEKLY_SOURCES[0]
    _materialised(instance, stopped, arrived_hours_ago=40)
    _materialised(instance, daily, arrived_hours_ago=20)
    _materialised(instance, weekly, arrived_hours_ago=40)
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key) for key in [*DAILY_SOURCES, *WEEKLY_SOURCES]],
        asset_checks=source_freshness_checks,
        jobs=[dg.define_asset_job("freshness", selection=dg.AssetSelection.all_asset_checks())],
    )
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance)

    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {*DAILY_SOURCES, *WEEKLY_SOURCES}
    assert not evaluations[stopped].passed
    assert evaluations[stopped].severity == dg.AssetCheckSeverity.WARN
    assert evaluations[daily].passed and evaluations[weekly].passed
    never_delivered = DAILY_SOURCES[2]
    assert not evaluations[never_delivered].passed
