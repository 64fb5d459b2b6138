"""The export sensor asks for the raw assets of new CRM and review exports and what follows them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from ingest.landing import archive_file, file_sha256


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROX_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("ROX_ARCHIVE_DIR", str(tmp_path / "archive"))
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "reviews").mkdir()
    return tmp_path / "landing"


def _loaded(path: Path, source: str, archive: Path) -> None:
    """What a raw asset does first with a file: archive it under its SHA-256."""
    archive_file(path, archive, source, file_sha256(path))


def _keys(request: dg.RunRequest) -> set[str]:
    return {key.to_user_string() for key in request.asset_selection}


def test_first_tick_asks_only_for_new_files_and_everything_downstream(
    defs, landing: Path, tmp_path: Path
) -> None:
    from orchestration.crm.sensors import export_files_sensor

    spend = landing / "crm" / "marketing_spend.csv"
    spend.write_text("month,channel,spend_eur\n2026-01-01,TV,10.00\n")
    _loaded(spend, "marketing_spend", tmp_path / "archive")
    tickets = landing / "crm" / "zendesk_tickets.csv"
    tickets.write_text("Id,Subject\n1,late\n")

    context = dg.build_sensor_context(definitions=defs)
    request = export_files_sensor(context)
    assert isinstance(request, dg.RunRequest)
    assert list(json.loads(request.run_key)) == ["zendesk_tickets"]
    keys = _keys(request)
    assert {
        "raw/zendesk_tickets",
        "raw/text_signals",
        "staging/stg_zendesk__tickets",
        "marts/business_kpis",
        "published/marts",
    } <= keys
    assert not {"raw/marketing_spend", "raw/salesforce_orders", "raw/survey_answers"} & keys
    # The daily job can run exactly that subset (dbt assets subset, multi-assets whole).
    selection = set(request.asset_selection)
    job = defs.resolve_job_def("daily_refresh").get_subset(asset_selection=selection)
    assert job.asset_layer.selected_asset_keys == selection

    # Loaded by that run (archived), then touched: nothing new.
    _loaded(tickets, "zendesk_tickets", tmp_path / "archive")
    os.utime(tickets, ns=(1, 1))
    context = dg.build_sensor_context(definitions=defs, cursor=context.cursor)
    assert isinstance(export_files_sensor(context), dg.SkipReason)

    (landing / "reviews" / "reviews_2026_01.csv").write_text("reviewId,score\nr1,5\n")
    (landing / "crm" / "salesforce_orders_2026_01.csv").write_text("Id\n1\n")
    context = dg.build_sensor_context(definitions=defs, cursor=context.cursor)
    request = export_files_sensor(context)
    assert sorted(json.loads(request.run_key)) == ["google_play_reviews", "salesforce_orders"]
    assert {"raw/google_play_reviews", "raw/salesforce_orders", "marts/customer_clv"} <= _keys(
        request
    )
    assert "raw/zendesk_tickets" not in _keys(request)
