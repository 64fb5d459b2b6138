"""The survey mapping as raw tables for dbt: resolved per survey id raw holds, replaced on every
load, and a survey loaded under a mistyped key is scored again once the key is fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from common.settings import REPO_ROOT
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping
from ingest.survey_mapping_tables import land_survey_mapping, mapping_frames

CONFIG = REPO_ROOT / "config" / "survey_mapping.yml"


def test_glob_keys_resolve_per_survey_id_and_labels_are_lower_case(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text(
        "version: 1\nsurveys:\n"
        "  'SV_*':\n    kind: customer\n    fields: {touchpoint: tp}\n"
        "    questions:\n      Q1: {metric: csat, labels: {Very Good: 5}}\n      Q2: verbatim\n"
        "  pulse:\n    kind: employee\n    questions: {Q1: enps}\n"
    )
    surveys, questions, labels = mapping_frames(load_survey_mapping(path), ["SV_a", "other"])
    shown = surveys[["survey_id", "mapping_key", "survey_kind", "touchpoint_field"]].fillna("-")
    assert shown.values.tolist() == [
        ["SV_a", "SV_*", "customer", "tp"],
        ["pulse", "pulse", "employee", "-"],
    ]
    assert questions[["survey_id", "question_id", "metric", "scale_min", "scale_max"]].astype(
        object
    ).where(questions.notna(), None).values.tolist() == [
        ["SV_a", "Q1", "csat", 1, 5],
        ["SV_a", "Q2", "verbatim", None, None],
        ["pulse", "Q1", "enps", 0, 10],
    ]
    assert labels.values.tolist() == [["SV_a", "Q1", "very good", 5.0]]


def test_answers_loaded_under_a_mistyped_key_are_mapped_again_once_it_is_fixed(
    small_demo, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.landing / "surveys", landing / "surveys")
    typo = tmp_path / "typo.yml"
    typo.write_text(CONFIG.read_text().replace("  relationship_nps:", "  relationship_nsp:"))
    with duckdb.connect() as con:
        load_survey_files(con, landing, tmp_path / "archive", load_survey_mapping(typo))
        loaded_as = con.execute(
            "select distinct survey_id from raw.survey_answers where survey_id like 'relationship%'"
        ).fetchall()
        land_survey_mapping(con, load_survey_mapping(CONFIG))
        mapped = con.execute(
            "select survey_id, mapping_key, survey_kind from raw.survey_mapping_surveys "
            "where survey_id like 'relationship%' order by 1"
        ).fetchall()
        questions = con.execute(
            "select question_id, metric from raw.survey_mapping_questions "
            "where survey_id = 'relationship_nsp' order by 1"
        ).fetchall()
    assert loaded_as == [("relationship_nsp",)]
    assert mapped == [
        ("relationship_nps", "relationship_nps", "customer"),  # the fixed key, for new files
        ("relationship_nsp", "relationship_nps", "customer"),  # history, recognised again
    ]
    assert questions == [("Q1", "nps"), ("Q1_NPS_GROUP", "ignore"), ("Q2", "verbatim")]
