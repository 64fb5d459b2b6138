"""Survey exports: layouts detected from content, long answers, UTC times, no personal data.

These fixtures predate the vendor-layout ones (tests/ingest/surveys/): the reader's responses and
answers are joined back into one long frame here, the shape these tests were written against.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ingest import surveys
from ingest.survey_mapping import load_survey_mapping
from ingest.surveys import SurveyExportError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "surveys"
MAPPING = load_survey_mapping(FIXTURES / "survey_mapping.yml")
QUALTRICS_CSV = FIXTURES / "qualtrics_cx_onboarding.csv"
QUALTRICS_TSV = FIXTURES / "qualtrics_pulse.tsv"
SURVEYMONKEY_CSV = FIXTURES / "surveymonkey_delivery.csv"
GENERIC_CSV = FIXTURES / "generic_support.csv"

EXPECTED_COLUMNS = [
    "survey_id",
    "response_id",
    "recorded_at",
    "question_id",
    "question_text",
    "answer",
    "finished",
    "respondent_email",
    "external_ref",
    "embedded",
    "layout",
    "source_file",
    "source_row",
]


def read_survey_export(path: Path, timezone: str | None = None) -> pd.DataFrame:
    """Answers with their response's fields, one row per answer (rejected rows left out)."""
    read = surveys.read_survey_export(path, MAPPING, timezone)
    frame = read.answers.merge(
        read.responses.drop(columns=["source_row"]), on=["survey_id", "response_id"], how="left"
    )
    frame["source_file"] = read.file_name
    return frame[EXPECTED_COLUMNS]


def rejects(path: Path, timezone: str | None = None) -> list[tuple]:
    read = surveys.read_survey_export(path, MAPPING, timezone)
    return [(r.line_number, r.field, r.reason) for r in read.rejects.itertuples()]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def by_response(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The first answer row of each response (response-level fields repeat on every answer)."""
    return {rid: rows.iloc[0] for rid, rows in frame.groupby("response_id", sort=False)}


def answer(frame: pd.DataFrame, response_id: str, question_id: str) -> str:
    rows = frame[(frame.response_id == response_id) & (frame.question_id == question_id)]
    assert len(rows) == 1, (response_id, question_id, len(rows))
    return rows.iloc[0]["answer"]


# A small Qualtrics export built in the test, for the cases the fixtures do not cover.
QUALTRICS_META = [
    ("Status", "Response Type", {"ImportId": "status"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Z"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
]
QUALTRICS_QUESTION = ("Q1", "How likely are you to recommend us?", {"ImportId": "QID1"})
# The survey's id as embedded data (Qualtrics writes none of its own).
SURVEY_ID = ("SurveyID", "SurveyID", {"ImportId": "SurveyID"})


def qualtrics_file(
    path: Path,
    rows: list[list[str]],
    columns: list[tuple[str, str, dict]] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    columns = columns if columns is not None else [*QUALTRICS_META, QUALTRICS_QUESTION]
    columns = [*columns, SURVEY_ID]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([c[0] for c in columns])
    writer.writerow([c[1] for c in columns])
    writer.writerow([json.dumps(c[2], separators=(",", ":")) for c in columns])
    writer.writerows([[*row, "SV_test"] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# Qualtrics CSV (UTF-8 with BOM, text Status, America/Denver) -----------------------------------


@pytest.fixture(scope="module")
def qualtrics() -> pd.DataFrame:
    return read_survey_export(QUALTRICS_CSV)


def test_fixture_is_utf8_with_bom() -> None:
    assert QUALTRICS_CSV.read_bytes().startswith(b"\xef\xbb\xbf")


def test_columns_and_types_are_the_contract(qualtrics: pd.DataFrame) -> None:
    assert list(EXPECTED_COLUMNS) == EXPECTED_COLUMNS
    assert list(qualtrics.columns) == EXPECTED_COLUMNS
    assert str(qualtrics["recorded_at"].dt.tz) == "UTC"
    assert qualtrics["finished"].dtype == bool
    assert qualtrics["source_row"].dtype == "int64"
    assert all(isinstance(a, str) for a in qualtrics["answer"])
    assert set(qualtrics["layout"]) == {"qualtrics"}
    assert set(qualtrics["source_file"]) == {"qualtrics_cx_onboarding.csv"}
    # No SurveyID column: the survey id is the file name stem.
    assert set(qualtrics["survey_id"]) == {"qualtrics_cx_onboarding"}


def test_qualtrics_keeps_real_responses_and_drops_preview_test_and_spam(
    qualtrics: pd.DataFrame,
) -> None:
    responses = list(dict.fromkeys(qualtrics["response_id"]))
    assert responses == ["R_1aaa", "R_2bbb", "R_3ccc", "R_4ddd", "R_5eee", "R_9iii", "R_10jjj"]


def test_qualtrics_one_row_per_answered_question(qualtrics: pd.DataFrame) -> None:
    counts = qualtrics.groupby("response_id", sort=False).size().to_dict()
    # R_1 answered all 7 question columns; R_9 (unfinished) only Q1 and its computed NPS group.
    assert counts == {
        "R_1aaa": 7,
        "R_2bbb": 5,
        "R_3ccc": 4,
        "R_4ddd": 5,
        "R_5eee": 4,
        "R_9iii": 2,
        "R_10jjj": 3,
    }
    r1 = qualtrics[qualtrics.response_id == "R_1aaa"]
    assert list(r1["question_id"]) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q5_4_TEXT", "QID1_NPS_GROUP"]
    assert answer(qualtrics, "R_1aaa", "QID1_NPS_GROUP") == "Promoter"
    assert r1.iloc[2]["question_text"] == (
        "How easy was it to get set up?\n(1 = very difficult, 7 = very easy)"
    )


def test_qualtrics_multiline_non_ascii_verbatim_is_exact(qualtrics: pd.DataFrame) -> None:
    assert answer(qualtrics, "R_1aaa", "Q4") == "Très bien !\nL'équipe a été rapide — merci."
    assert answer(qualtrics, "R_1aaa", "Q5_4_TEXT") == "Un ami à Zürich"
    assert answer(qualtrics, "R_4ddd", "Q4") == "Zu langsam. 😞"


def test_qualtrics_source_row_counts_physical_lines(qualtrics: pd.DataFrame) -> None:
    # Header: lines 1-4 (row 2 has a two-line question text); R_1 spans lines 5-6.
    rows = {rid: r["source_row"] for rid, r in by_response(qualtrics).items()}
    assert rows == {
        "R_1aaa": 5,
        "R_2bbb": 7,
        "R_3ccc": 8,
        "R_4ddd": 9,
        "R_5eee": 10,
        "R_9iii": 14,
        "R_10jjj": 15,
    }
    lines = QUALTRICS_CSV.read_text(encoding="utf-8-sig").splitlines()
    assert lines[15 - 1].split(",")[8] == '"R_10jjj"'


def test_qualtrics_recorded_date_converted_from_denver_to_utc(qualtrics: pd.DataFrame) -> None:
    responses = by_response(qualtrics)
    # 2025-03-04 10:15 MST (UTC-7) and, after the 9 March DST change, 2025-03-12 08:00 MDT (UTC-6).
    assert responses["R_1aaa"]["recorded_at"] == utc("2025-03-04 17:15:00")
    assert responses["R_9iii"]["recorded_at"] == utc("2025-03-12 14:00:00")
    assert responses["R_4ddd"]["recorded_at"] == utc("2025-03-06 23:45:00")


def test_qualtrics_unfinished_response_is_kept_and_flagged(qualtrics: pd.DataFrame) -> None:
    finished = {rid: bool(r["finished"]) for rid, r in by_response(qualtrics).items()}
    assert finished.pop("R_9iii") is False
    assert all(finished.values())


def test_qualtrics_email_external_ref_and_embedded(qualtrics: pd.DataFrame) -> None:
    responses = by_response(qualtrics)
    assert responses["R_1aaa"]["respondent_email"] == "ana@example.com"
    assert responses["R_1aaa"]["external_ref"] == "CUST-001"
    assert responses["R_2bbb"]["external_ref"] is None
    assert responses["R_3ccc"]["respondent_email"] is None
    assert json.loads(responses["R_4ddd"]["embedded"]) == {
        "channel": "email",
        "journey_stage": "activation",
        "touchpoint": "billing",
    }
    assert responses["R_4ddd"]["embedded"] == (
        '{"channel": "email", "journey_stage": "activation", "touchpoint": "billing"}'
    )


def test_qualtrics_personal_columns_never_leave_the_reader(qualtrics: pd.DataFrame) -> None:
    dumped = qualtrics.to_csv(index=False)
    for personal in ("203.0.113.7", "Silva", "Ana", "39.7392", "-104.9903"):
        assert personal not in dumped
    embedded_keys = set().union(*(json.loads(e) for e in qualtrics["embedded"]))
    assert embedded_keys == {"channel", "journey_stage", "touchpoint"}


# Qualtrics TSV (UTF-16 LE, numeric Status codes, SurveyID column) ------------------------------


@pytest.fixture(scope="module")
def pulse() -> pd.DataFrame:
    return read_survey_export(QUALTRICS_TSV)


def test_fixture_is_utf16_tsv() -> None:
    data = QUALTRICS_TSV.read_bytes()
    assert data.startswith(b"\xff\xfe")
    assert "\t" in data[2:].decode("utf-16-le").splitlines()[0]


def test_utf16_tsv_is_read_with_numeric_status_codes(pulse: pd.DataFrame) -> None:
    assert set(pulse["layout"]) == {"qualtrics"}
    responses = list(dict.fromkeys(pulse["response_id"]))
    # Codes 1 (preview), 2 (test), 8 (spam) and 17 (offline preview) are out; 0, 4, 16 stay.
    assert responses == ["R_p1", "R_p2", "R_p3", "R_p4", "R_p8", "R_p9", "R_p10"]
    assert list(pulse[pulse.question_id == "Q1"]["answer"]) == ["9", "10", "9", "3", "5", "10", "2"]


def test_utf16_tsv_survey_id_verbatim_rows_and_flags(pulse: pd.DataFrame) -> None:
    assert set(pulse["survey_id"]) == {"SV_pulse_2025q2"}
    assert answer(pulse, "R_p4", "Q2") == "Mehr Schulungen.\nMoins de réunions, s'il vous plaît."
    responses = by_response(pulse)
    assert responses["R_p4"]["source_row"] == 7
    assert responses["R_p8"]["source_row"] == 12  # R_p4 spans lines 7-8
    assert bool(responses["R_p10"]["finished"]) is False
    assert responses["R_p1"]["finished"]
    assert responses["R_p1"]["recorded_at"] == utc("2025-04-01 08:05:00")  # timeZone "Z"
    assert json.loads(responses["R_p2"]["embedded"]) == {"job": "Team lead", "team": "Support"}
    assert "47.37" not in pulse.to_csv(index=False)
    assert "Meyer" not in pulse.to_csv(index=False)


@pytest.mark.parametrize(
    ("status", "kept"),
    [
        ("IP Address", True),
        ("0", True),
        ("Imported", True),
        ("4", True),
        ("Offline", True),
        ("16", True),
        ("Survey Preview", False),
        ("Survey Test", False),
        ("Spam", False),
        ("Survey Preview Spam", False),
        ("Imported Spam", False),
        ("Offline Survey Preview", False),
        ("1", False),
        ("2", False),
        ("8", False),
        ("9", False),
        ("12", False),
        ("17", False),
    ],
)
def test_status_filter(tmp_path: Path, status: str, kept: bool) -> None:
    path = qualtrics_file(
        tmp_path / "s.csv",
        [
            ["0", "True", "2025-01-01 00:00:00", "R_keep", "192.0.2.1", "7"],
            [status, "True", "2025-01-01 00:00:00", "R_status", "192.0.2.1", "8"],
        ],
    )
    frame = read_survey_export(path)
    assert ("R_status" in set(frame["response_id"])) is kept
    assert "R_keep" in set(frame["response_id"])


def test_utf8_tsv_without_bom_and_fixed_offset_time_zone(tmp_path: Path) -> None:
    columns = [
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "+02:00"}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("Q1", "Wie wahrscheinlich, mit Komma, ist es?", {"ImportId": "QID1"}),
    ]
    path = qualtrics_file(
        tmp_path / "export.tsv",
        [["2025-06-01 12:00:00", "R_1", "9"]],
        columns=columns,
        delimiter="\t",
    )
    frame = read_survey_export(path)
    assert frame.iloc[0]["question_text"] == "Wie wahrscheinlich, mit Komma, ist es?"
    assert frame.iloc[0]["recorded_at"] == utc("2025-06-01 10:00:00")
    assert frame.iloc[0]["finished"]  # no Finished column: treated as finished


def test_blank_answers_give_no_rows_and_an_empty_frame_keeps_its_columns(tmp_path: Path) -> None:
    path = qualtrics_file(
        tmp_path / "only_headers.csv",
        [["0", "True", "2025-01-01 00:00:00", "R_1", "192.0.2.1", "  "]],
    )
    frame = read_survey_export(path)
    assert frame.empty
    assert list(frame.columns) == EXPECTED_COLUMNS
    assert str(frame["recorded_at"].dt.tz) == "UTC"


# SurveyMonkey ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monkey() -> pd.DataFrame:
    return read_survey_export(SURVEYMONKEY_CSV)


def test_surveymonkey_question_ids_and_sub_options(monkey: pd.DataFrame) -> None:
    assert set(monkey["layout"]) == {"surveymonkey"}
    assert set(monkey["survey_id"]) == {"surveymonkey_delivery"}
    first = monkey[monkey.response_id == "114000001"]
    assert list(first["question_id"]) == ["Q1", "Q2_1", "Q2_2", "Q2_3", "Q3", "Q4"]
    texts = dict(zip(first["question_id"], first["question_text"], strict=True))
    assert texts["Q1"] == "How likely is it that you would recommend Acme to a friend or colleague?"
    assert texts["Q2_1"] == "How satisfied are you with each part of your delivery? - Speed"
    assert texts["Q2_3"] == "How satisfied are you with each part of your delivery? - Driver"
    assert texts["Q4"] == "Anything else you would like to tell us?"
    assert answer(monkey, "114000001", "Q2_2") == "Satisfied"
    assert len(monkey) == 24  # 6 + 4 + 6 + 4 + 4 answered cells


def test_surveymonkey_dates_are_month_first_12_hour_utc(monkey: pd.DataFrame) -> None:
    responses = by_response(monkey)
    assert responses["114000001"]["recorded_at"] == utc("2025-11-03 10:17:02")  # End Date
    assert responses["114000002"]["recorded_at"] == utc("2025-11-03 13:05:00")  # 01:05 PM
    assert responses["114000003"]["recorded_at"] == utc("2025-11-04 09:03:10")  # 4 Nov, not 11 Apr


def test_surveymonkey_timezone_argument(tmp_path: Path) -> None:
    frame = read_survey_export(SURVEYMONKEY_CSV, timezone="America/New_York")
    # 3 November 2025 is after the US DST change: EST, UTC-5.
    assert by_response(frame)["114000001"]["recorded_at"] == utc("2025-11-03 15:17:02")
    with pytest.raises(SurveyExportError, match="unknown time zone 'Mars/Olympus'"):
        read_survey_export(SURVEYMONKEY_CSV, timezone="Mars/Olympus")


def test_surveymonkey_metadata_fields_and_rows(monkey: pd.DataFrame) -> None:
    responses = by_response(monkey)
    assert all(monkey["finished"])
    assert responses["114000001"]["respondent_email"] == "ana@example.com"
    assert responses["114000001"]["external_ref"] == "CUST-001"
    assert responses["114000004"]["respondent_email"] is None
    assert json.loads(responses["114000003"]["embedded"]) == {
        "collector_id": "431000002",
        "touchpoint": "returns",
    }
    rows = {rid: r["source_row"] for rid, r in responses.items()}
    assert rows == {"114000001": 3, "114000002": 4, "114000003": 5, "114000004": 7, "114000005": 8}
    assert answer(monkey, "114000003", "Q4") == (
        "Le colis est arrivé abîmé,\nmais le service client a été réactif."
    )
    dumped = monkey.to_csv(index=False)
    for personal in ("203.0.113.5", "Silva", "Chen", "Eve"):
        assert personal not in dumped


def test_layout_and_survey_come_from_content_not_file_name(tmp_path: Path) -> None:
    renamed = tmp_path / "qualtrics_export.txt"
    shutil.copy(SURVEYMONKEY_CSV, renamed)
    frame = read_survey_export(renamed)
    assert set(frame["layout"]) == {"surveymonkey"}
    assert set(frame["survey_id"]) == {"surveymonkey_delivery"}  # the mapping's match
    assert set(frame["source_file"]) == {"qualtrics_export.txt"}


# Generic long CSV -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generic() -> pd.DataFrame:
    return read_survey_export(GENERIC_CSV)


def test_generic_layout(generic: pd.DataFrame) -> None:
    assert set(generic["layout"]) == {"generic"}
    assert len(generic) == 12  # 13 data rows, one empty answer
    assert list(generic["source_row"]) == [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14]
    assert answer(generic, "t1", "comment") == 'Quick, friendly "and" clear'
    responses = by_response(generic)
    assert responses["t1"]["recorded_at"] == utc("2025-05-01 07:00:00")  # +02:00
    assert responses["t2"]["recorded_at"] == utc("2025-05-01 10:30:00")  # Z
    assert responses["t3"]["recorded_at"] == utc("2025-05-02 08:00:00")  # naive = UTC
    assert responses["t4"]["recorded_at"] == utc("2025-05-03 22:00:00")  # -04:00
    assert [bool(responses[r]["finished"]) for r in ("t1", "t2", "t3", "t4")] == [
        True,
        True,
        True,  # blank finished defaults to true
        False,
    ]
    assert responses["t4"]["question_text"] is None
    assert responses["t1"]["external_ref"] == "CUST-001"
    assert json.loads(responses["t1"]["embedded"]) == {"team": "Tier 1", "touchpoint": "support"}
    assert json.loads(responses["t3"]["embedded"]) == {"touchpoint": "chat"}
    assert "192.0.2.1" not in generic.to_csv(index=False)


# Errors ---------------------------------------------------------------------------------------


def test_missing_response_id_names_file_and_column(tmp_path: Path) -> None:
    columns = [c for c in QUALTRICS_META if c[0] != "ResponseId"] + [QUALTRICS_QUESTION]
    path = qualtrics_file(
        tmp_path / "no_id.csv", [["0", "True", "2025-01-01 00:00:00", "1.2.3.4", "9"]], columns
    )
    with pytest.raises(SurveyExportError) as err:
        read_survey_export(path)
    assert str(err.value) == "no_id.csv: missing required column 'ResponseId'"


def test_missing_respondent_id_in_surveymonkey(tmp_path: Path) -> None:
    path = tmp_path / "monkey.csv"
    lines = SURVEYMONKEY_CSV.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.split(",", 1)[1] for line in lines[:3]), encoding="utf-8")
    with pytest.raises(SurveyExportError) as err:
        read_survey_export(path)
    assert str(err.value) == "monkey.csv: missing required column 'Respondent ID'"


def test_missing_generic_columns(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("survey_id,response_id,answer\ns1,r1,9\n", encoding="utf-8")
    with pytest.raises(SurveyExportError) as err:
        read_survey_export(path)
    assert str(err.value) == (
        "long.csv: missing required columns 'recorded_at', 'question_id' for the generic layout"
    )


def test_unknown_layout(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,amount\n1,10\n", encoding="utf-8")
    with pytest.raises(SurveyExportError) as err:
        read_survey_export(path)
    message = str(err.value)
    assert message.startswith(
        "orders.csv: unknown survey export layout; its first header cells are 'order_id', "
        "'amount'. Known layouts: Qualtrics"
    )
    assert "SurveyMonkey" in message and "the generic long CSV" in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\r\n\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(SurveyExportError, match=r"^empty\.csv: the file is empty$"):
        read_survey_export(path)


def test_unparsable_qualtrics_timestamp_names_file_row_and_column(tmp_path: Path) -> None:
    path = qualtrics_file(
        tmp_path / "bad_time.csv",
        [
            ["0", "True", "2025-01-01 00:00:00", "R_1", "1.2.3.4", "9"],
            ["0", "True", "yesterday", "R_2", "1.2.3.4", "9"],
        ],
    )
    assert [(line, field) for line, field, _ in rejects(path)] == [(5, "RecordedDate")]
    assert rejects(path)[0][2].startswith("cannot parse timestamp 'yesterday'")
    assert list(read_survey_export(path)["response_id"]) == ["R_1"]  # the rest loads


def test_unparsable_surveymonkey_date(tmp_path: Path) -> None:
    path = tmp_path / "monkey.csv"
    text = SURVEYMONKEY_CSV.read_text(encoding="utf-8").replace("11/05/2025 04:02:00 PM", "31/05")
    path.write_text(text, encoding="utf-8")
    (reject,) = rejects(path)
    assert reject[:2] == (7, "End Date")
    assert reject[2].startswith("cannot parse timestamp '31/05'")


def test_unparsable_generic_timestamp_and_finished(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    header = "survey_id,response_id,recorded_at,question_id,answer,finished\n"
    path.write_text(header + "s,r1,2025-13-01,q,9,true\ns,r2,2025-01-01,q,9,\n", encoding="utf-8")
    assert [r[:2] for r in rejects(path)] == [(2, "recorded_at")]
    assert list(read_survey_export(path)["response_id"]) == ["r2"]
    path.write_text(header + "s,r1,2025-01-01,q,9,maybe\n", encoding="utf-8")
    assert [r[:2] for r in rejects(path)] == [(2, "finished")]


def test_bad_finished_value_and_unknown_time_zone_in_qualtrics(tmp_path: Path) -> None:
    path = qualtrics_file(
        tmp_path / "q.csv", [["0", "Maybe", "2025-01-01 00:00:00", "R_1", "1.2.3.4", "9"]]
    )
    assert [r[:2] for r in rejects(path)] == [(4, "Finished")]
    columns = [
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Mars/Base"}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        QUALTRICS_QUESTION,
    ]
    path = qualtrics_file(tmp_path / "z.csv", [["2025-01-01 00:00:00", "R_1", "9"]], columns)
    with pytest.raises(SurveyExportError, match=r"^z\.csv: .*RecordedDate.*'Mars/Base'"):
        read_survey_export(path)


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "survey_id,response_id,recorded_at,question_id,answer\ns,r,2025-01-01,q,é\n".encode(
            "latin-1"
        )
    )
    with pytest.raises(SurveyExportError, match=r"^latin1\.csv: not valid UTF-8"):
        read_survey_export(path)


def test_blank_response_id_names_the_row(tmp_path: Path) -> None:
    path = qualtrics_file(
        tmp_path / "q.csv",
        [
            ["0", "True", "2025-01-01 00:00:00", "R_1", "1.2.3.4", "9"],
            ["0", "True", "2025-01-01 00:00:00", "", "1.2.3.4", "9"],
        ],
    )
    assert rejects(path) == [(5, "ResponseId", "empty value in a required column")]
    assert list(read_survey_export(path)["response_id"]) == ["R_1"]
