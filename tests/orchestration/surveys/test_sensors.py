"""The survey sensor asks for a run when an export is new or changed, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest


@pytest.fixture
def sensor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ROX_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("ROX_ARCHIVE_DIR", str(tmp_path / "archive"))
    from orchestration.surveys.sensors import survey_files_sensor

    return survey_files_sensor


def test_runs_once_per_new_or_changed_file(sensor, tmp_path: Path) -> None:
    folder = tmp_path / "surveys"
    folder.mkdir()
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance)
    assert isinstance(sensor(context), dg.SkipReason)

    (folder / "pulse.csv").write_text("survey_id,response_id,recorded_at,question_id,answer\n")
    first = sensor(context)
    assert isinstance(first, dg.RunRequest) and "pulse.csv" in first.run_key
    context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
    assert isinstance(sensor(context), dg.SkipReason)

    (folder / "pulse.csv").write_text("survey_id,response_id,recorded_at,question_id,answer\nx\n")
    (folder / "notes.txt").write_text("not a survey export")
    changed = sensor(context)
    assert isinstance(changed, dg.RunRequest) and changed.run_key != first.run_key


def test_first_tick_does_not_ask_again_for_files_already_loaded(sensor, tmp_path: Path) -> None:
    from ingest.landing import archive_file, file_sha256

    folder = tmp_path / "surveys"
    folder.mkdir()
    loaded, new = folder / "pulse.csv", folder / "onboarding.csv"
    loaded.write_text("survey_id,response_id,recorded_at,question_id,answer\n")
    archive_file(loaded, tmp_path / "archive", "survey_answers", file_sha256(loaded))
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral())
    assert isinstance(sensor(context), dg.SkipReason)

    new.write_text("survey_id,response_id,recorded_at,question_id,answer\ns,r,2026-01-01,q,1\n")
    request = sensor(dg.build_sensor_context(cursor=context.cursor))
    assert isinstance(request, dg.RunRequest)
    assert list(json.loads(request.run_key)) == ["onboarding.csv"]
