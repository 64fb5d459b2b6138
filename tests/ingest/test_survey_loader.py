"""Survey exports into raw: every answer and response kept, each file once and alone,
rejected rows with their reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from common.settings import REPO_ROOT
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping
from ingest.surveys import read_survey_export as read_export
from tests.helpers import INJECTIONS
from tests.ingest.surveys.vendor import MAPPING as VENDOR_MAPPING
from tests.ingest.surveys.vendor import VENDOR

MAPPING = load_survey_mapping(REPO_ROOT / "config" / "survey_mapping.yml")


def read_survey_export(path: Path) -> pd.DataFrame:
    return read_export(path, MAPPING).answers


@pytest.fixture
def landing(small_demo, tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    shutil.copytree(small_demo.landing / "surveys", root / "surveys")
    return root


def test_every_answer_loads_once_as_exported_and_the_mapping_lands_beside(
    landing: Path, tmp_path: Path
) -> None:
    expected = sum(len(read_survey_export(p)) for p in (landing / "surveys").glob("*.csv"))
    with duckdb.connect() as con:
        first = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        second = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        stored = con.execute("select count(*) from raw.survey_answers").fetchall()[0][0]
        columns = {
            c for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'survey_answers'"
            ).fetchall()
        }  # fmt: skip
        questions = dict(
            con.execute(
                "select survey_id || '/' || question_id, metric from raw.survey_mapping_questions"
            ).fetchall()
        )
        kinds = dict(
            con.execute("select survey_id, survey_kind from raw.survey_mapping_surveys").fetchall()
        )
        ignored_kept = con.execute(
            "select count(*) from raw.survey_answers "
            "where survey_id = 'relationship_nps' and question_id = 'Q1_NPS_GROUP'"
        ).fetchall()[0][0]
    assert first.rows_loaded == stored == expected > 0
    assert first.rows_rejected == 0
    assert second.rows_loaded == 0 and len(second.files_skipped) == 4
    assert first.files_failed == []
    # Raw holds the answers as exported: no meaning is applied at load.
    assert {"answer", "question_id"} <= columns and not {"metric", "score"} & columns
    assert questions["relationship_nps/Q1"] == "nps"
    # Qualtrics' derived NPS group is marked `ignore`: kept in raw, never scored.
    assert questions["relationship_nps/Q1_NPS_GROUP"] == "ignore" and ignored_kept > 0
    assert questions["website_feedback/Q1"] == "csat"
    assert kinds["employee_pulse"] == "employee" and kinds["touchpoint_csat_ces"] == "customer"


def test_an_out_of_scale_answer_lands_as_exported(landing, tmp_path) -> None:
    """Scales are applied in staging (stg_surveys__rejected_answers names file, line, field):
    at load the answer is kept as it is and nothing is rejected."""
    path = landing / "surveys" / "touchpoint_csat_ces.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header_ids = lines[0].split(",")
    first_data = lines[3].split(",")
    first_data[header_ids.index("Q1")] = "9"  # CSAT is 1-5
    lines[3] = ",".join(first_data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with duckdb.connect() as con:
        report = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        kept = con.execute(
            "select source_row from raw.survey_answers where answer = '9' and question_id = 'Q1' "
            "and survey_id = 'touchpoint_csat_ces'"
        ).fetchall()
    assert report.rows_rejected == 0
    assert kept == [(4,)]


def test_a_survey_without_mapping_loads_whole_and_its_mapping_lands_once_known(
    landing, tmp_path
) -> None:
    (landing / "surveys" / "new_pulse.csv").write_text(
        "survey_id,response_id,recorded_at,question_id,answer\n"
        "new_pulse,r1,2026-01-05T10:00:00Z,Q1,8\n"
        "new_pulse,r2,2026-01-05T11:00:00Z,Q1,3\n"
    )
    known = tmp_path / "mapping.yml"
    known.write_text(
        (REPO_ROOT / "config" / "survey_mapping.yml").read_text()
        + "  new_pulse:\n    kind: employee\n    questions:\n      Q1: enps\n"
    )
    with duckdb.connect() as con:
        report = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        kept = con.execute(
            "select count(*) from raw.survey_answers where survey_id = 'new_pulse'"
        ).fetchall()[0][0]
        before = con.execute(
            "select count(*) from raw.survey_mapping_surveys where survey_id = 'new_pulse'"
        ).fetchall()[0][0]
        again = load_survey_files(con, landing, tmp_path / "archive", load_survey_mapping(known))
        after = con.execute(
            "select q.metric, s.survey_kind from raw.survey_mapping_questions q "
            "join raw.survey_mapping_surveys s using (survey_id) where survey_id = 'new_pulse'"
        ).fetchall()
    assert report.rows_rejected == 0 and kept == 2 and before == 0
    assert again.files_loaded == [] and again.rows_loaded == 0  # nothing re-loaded
    assert after == [("enps", "employee")]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_survey_ids_and_field_names_travel_as_data(injection, tmp_path) -> None:
    mapping_file = tmp_path / "survey_mapping.yml"
    quoted = injection.replace("'", "''")
    mapping_file.write_text(
        "version: 1\nsurveys:\n"
        f"  '{quoted}':\n"
        "    kind: customer\n"
        f"    fields:\n      touchpoint: '{quoted}'\n"
        f"    questions:\n      '{quoted}': nps\n"
    )
    mapping = load_survey_mapping(mapping_file)
    surveys = tmp_path / "landing" / "surveys"
    surveys.mkdir(parents=True)
    frame = pd.DataFrame(
        {
            "survey_id": [injection],
            "response_id": ["r1"],
            "recorded_at": ["2026-01-05T10:00:00Z"],
            "question_id": [injection],
            "answer": ["9"],
            injection: [injection],
        }
    )
    frame.to_csv(surveys / "pulse.csv", index=False)
    with duckdb.connect() as con:
        report = load_survey_files(con, tmp_path / "landing", tmp_path / "archive", mapping)
        stored = con.execute(
            "select survey_id, question_id, answer from raw.survey_answers"
        ).fetchall()
        mapped = con.execute(
            "select s.survey_id, q.question_id, q.metric, s.touchpoint_field "
            "from raw.survey_mapping_surveys s "
            "join raw.survey_mapping_questions q using (survey_id)"
        ).fetchall()
        logged = con.execute("select count(*) from raw.load_log").fetchall()[0][0]
    assert report.rows_loaded == 1 and logged == 1
    assert stored == [(injection, injection, "9")]
    assert mapped == [(injection, injection, "nps", injection)]


def _vendor_landing(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "landing"
    (root / "surveys").mkdir(parents=True)
    for name, relative in files.items():
        shutil.copy(VENDOR / relative, root / "surveys" / name)
    return root


def test_a_failing_file_among_good_ones_leaves_every_good_file_loaded_and_is_logged(
    tmp_path,
) -> None:
    landing = _vendor_landing(
        tmp_path,
        {
            "a_qualtrics.csv": "qualtrics/Acme+Support+Survey_October+23,+2020_14.25.csv",
            "b_ids_lost.csv": "surveymonkey/excel_resaved/Support Feedback 2022.csv",
            "c_monkey.csv": "surveymonkey/expanded/Support Feedback 2022.csv",
        },
    )
    (landing / "surveys" / "b_orders.csv").write_text("order_id,amount\n1,10\n")
    with duckdb.connect() as con:
        report = load_survey_files(con, landing, tmp_path / "archive", VENDOR_MAPPING)
        responses = con.execute(
            "select _source_file, count(*) from raw.survey_responses group by 1 order by 1"
        ).fetchall()
        logged = con.execute(
            "select file_name, status, reason from raw.load_log order by file_name"
        ).fetchall()
        rejected = con.execute("select count(*) from raw.rejected_rows").fetchall()[0][0]
    assert report.files_loaded == ["a_qualtrics.csv", "c_monkey.csv"]
    assert responses == [("a_qualtrics.csv", 4), ("c_monkey.csv", 5)]
    failed = {f.file_name: f.reason for f in report.files_failed}
    assert failed["b_orders.csv"].startswith("b_orders.csv: unknown survey export layout")
    assert "5 of 5 records rejected" in failed["b_ids_lost.csv"]
    assert "Excel scientific notation" in failed["b_ids_lost.csv"]
    assert [(n, s) for n, s, _ in logged] == [
        ("a_qualtrics.csv", "loaded"),
        ("b_ids_lost.csv", "failed"),
        ("b_orders.csv", "failed"),
        ("c_monkey.csv", "loaded"),
    ]
    assert rejected == 0  # nothing of a failed file is kept but its log line and archive copy


def test_a_row_with_a_bad_date_is_rejected_and_the_rest_of_its_file_loads(tmp_path) -> None:
    landing = _vendor_landing(
        tmp_path, {"monkey.csv": "surveymonkey/bad_date/Support Feedback 2022.csv"}
    )
    with duckdb.connect() as con:
        report = load_survey_files(con, landing, tmp_path / "archive", VENDOR_MAPPING)
        rejected = con.execute(
            "select file_name, line_number, field, value from raw.rejected_rows"
        ).fetchall()
        responses = con.execute("select count(*) from raw.survey_responses").fetchall()[0][0]
    assert report.files_loaded == ["monkey.csv"] and report.rows_rejected == 1
    assert rejected == [("monkey.csv", 8, "End Date", "25/08/2022 03:47:31 PM")]
    assert responses == 4


def test_a_file_whose_survey_cannot_be_told_fails_and_loads_once_the_mapping_knows_it(
    tmp_path,
) -> None:
    landing = _vendor_landing(
        tmp_path, {"export.csv": "surveymonkey/expanded/Support Feedback 2022.csv"}
    )
    with duckdb.connect() as con:
        first = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        again = load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        fixed = load_survey_files(con, landing, tmp_path / "archive", VENDOR_MAPPING)
    assert "cannot tell which survey this export is of" in first.files_failed[0].reason
    assert again.files_failed[0].status == "failed_before"  # unchanged: not read again
    assert fixed.files_loaded == ["export.csv"]  # another mapping: read again
