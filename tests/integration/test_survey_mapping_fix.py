"""A survey-mapping typo loses nothing (issue 26.4): the run is green, the WARN check
`unmapped_questions` lists the survey and its questions with counts, the answers stay in raw;
once the mapping is fixed the next run scores that history without re-loading a file.

Real parts: a generic long CSV export in the landing folder, the survey asset (loader and the
mapping tables), dbt building the survey staging models with their tests, the Dagster checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.surveys.assets import SURVEY_ANSWERS
from tests.helpers import dbt_manifest_path

PSEUDONYM_SALT = dg.AssetKey(["raw", "pseudonym_salt"])
STAGING = [
    "stg_surveys__answer_scoring",
    "stg_surveys__responses",
    "stg_surveys__answers",
    "stg_surveys__rejected_answers",
    "stg_surveys__unmapped_questions",
]
MAPPING = """version: 1
surveys:
  {key}:
    kind: customer
    fields:
      touchpoint: touchpoint
    questions:
      Q1: nps
      Q2: verbatim
"""
ANSWERS = [  # response, question, answer, touchpoint
    ("r1", "Q1", "10", "delivery"),
    ("r1", "Q2", "Quick and friendly", "delivery"),
    ("r2", "Q1", "3", "returns"),
    ("r3", "Q1", "11", "returns"),  # off the scale: rejected in staging, named by line
]


def _run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    selection = dg.AssetSelection.assets(
        SURVEY_ANSWERS, PSEUDONYM_SALT, *[dg.AssetKey(["staging", m]) for m in STAGING]
    ).required_multi_asset_neighbors()
    # The responses' identity gate needs the CRM contacts, which this test does not land.
    identity = dg.AssetCheckKey(dg.AssetKey(["staging", "stg_surveys__responses"]), "ge_staging")
    return dg.materialize(
        list(defs.assets) + list(defs.asset_checks),
        selection=selection - dg.AssetSelection.checks(identity),
        resources=defs.resources,
        instance=instance,
        raise_on_error=False,
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_mistyped_survey_key_warns_keeps_the_answers_and_a_fix_scores_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbt_manifest_path()
    landing = tmp_path / "landing"
    (landing / "surveys").mkdir(parents=True)
    lines = ["survey_id,response_id,recorded_at,question_id,answer,touchpoint"]
    lines += [f"cx_pulse,{r},2026-01-05T10:00:00Z,{q},{a},{t}" for r, q, a, t in ANSWERS]
    (landing / "surveys" / "cx_pulse.csv").write_text("\n".join(lines) + "\n")
    mapping = tmp_path / "survey_mapping.yml"
    mapping.write_text(MAPPING.format(key="cx_plse"))  # the typo
    warehouse = tmp_path / "warehouse" / "rox.duckdb"
    warehouse.parent.mkdir()
    for key, value in {
        "ROX_WAREHOUSE": str(warehouse),
        "ROX_LANDING_DIR": str(landing),
        "ROX_ARCHIVE_DIR": str(tmp_path / "archive"),
        "ROX_RAW_PARQUET_DIR": str(tmp_path / "warehouse" / "parquet" / "raw"),
        "ROX_SURVEY_MAPPING": str(mapping),
        "ROX_PSEUDONYM_SALT": "test-salt",
        "DO_NOT_TRACK": "1",
    }.items():
        monkeypatch.setenv(key, value)
    instance = dg.DagsterInstance.ephemeral()

    first = _run(instance)
    assert first.success, [str(e) for e in first.all_events if e.is_failure]
    unmapped = _checks(first)["unmapped_questions"]
    assert not unmapped.passed and unmapped.severity == dg.AssetCheckSeverity.WARN
    assert "cx_pulse" in unmapped.description
    table = unmapped.metadata["unmapped_questions"].value
    assert "| `cx_pulse` | `Q1` | yes | 3 | 3 |" in table
    assert "| `cx_pulse` | `Q2` | yes | 1 | 1 |" in table
    assert unmapped.metadata["unmapped_answers"].value == 4
    assert _checks(first)["rejected_answers"].passed  # nothing is scored, so nothing rejected
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.survey_answers").fetchone()[0] == 4
        assert con.execute("select count(*) from staging.stg_surveys__answers").fetchone()[0] == 0
        kind = con.execute("select survey_kind from staging.stg_surveys__responses").fetchall()
    assert set(kind) == {("unmapped",)}

    mapping.write_text(MAPPING.format(key="cx_pulse"))  # fixed
    second = _run(instance)
    assert second.success, [str(e) for e in second.all_events if e.is_failure]
    checks = _checks(second)
    assert checks["unmapped_questions"].passed
    rejected = checks["rejected_answers"]
    assert not rejected.passed and rejected.severity == dg.AssetCheckSeverity.WARN
    assert "cx_pulse.csv line 5, Q1: NPS answer 11 is outside 0-10" in rejected.description
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loads = con.execute(
            "select file_name, status from raw.load_log where source = 'survey_answers'"
        ).fetchall()
        scored = con.execute(
            "select response_id, question_id, metric, score, verbatim, survey_kind, touchpoint "
            "from staging.stg_surveys__answers order by all"
        ).fetchall()
    assert loads == [("cx_pulse.csv", "loaded")]  # loaded once, never again
    assert scored == [
        ("r1", "Q1", "nps", 10.0, None, "customer", "delivery"),
        ("r1", "Q2", "verbatim", None, "Quick and friendly", "customer", "delivery"),
        ("r2", "Q1", "nps", 3.0, None, "customer", "returns"),
    ]
