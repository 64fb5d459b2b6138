"""Survey mapping: validated at load, scores on their scales, every answer accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.survey_mapping import SurveyMappingError, load_survey_mapping
from tests.ingest.surveys.scoring_oracle import REJECTED_COLUMNS, apply_survey_mapping
from tests.ingest.test_surveys import EXPECTED_COLUMNS as COLUMNS
from tests.ingest.test_surveys import read_survey_export

FIXTURES = Path(__file__).parents[1] / "fixtures" / "surveys"
MAPPING = FIXTURES / "survey_mapping.yml"


def nps(scores: list[float]) -> float:
    """% promoters (9-10) minus % detractors (0-6); eNPS is computed the same way."""
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores)


def csat(scores: list[float]) -> float:
    """% of answers in the top two boxes (4-5 of 5)."""
    return 100 * sum(1 for s in scores if s >= 4) / len(scores)


def ces(scores: list[float]) -> float:
    return sum(scores) / len(scores)


def scores(scored: pd.DataFrame, metric: str) -> list[float]:
    return list(scored.loc[scored.metric == metric, "score"])


def score_file(name: str, mapping_path: Path = MAPPING):
    answers = read_survey_export(FIXTURES / name)
    scored, rejected = apply_survey_mapping(answers, load_survey_mapping(mapping_path))
    # Nothing hides: every answer is scored, rejected or counted as an unmapped question.
    assert len(scored) + len(rejected) + scored.attrs["unmapped_answers"] == len(answers)
    return answers, scored, rejected


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yml"
    path.write_text(text, encoding="utf-8")
    return path


def answers_frame(rows: list[tuple[str, str, str]], embedded: str = "{}") -> pd.DataFrame:
    """Reader-shaped answers from (survey_id, question_id, answer) triples, rows 2, 3, ..."""
    return pd.DataFrame(
        [
            {
                "survey_id": survey_id,
                "response_id": f"r{i}",
                "recorded_at": pd.Timestamp("2025-01-01", tz="UTC"),
                "question_id": question_id,
                "question_text": None,
                "answer": answer,
                "finished": True,
                "respondent_email": None,
                "external_ref": None,
                "embedded": embedded,
                "layout": "generic",
                "source_file": "answers.csv",
                "source_row": i + 2,
            }
            for i, (survey_id, question_id, answer) in enumerate(rows)
        ],
        columns=list(COLUMNS),
    )


# Known scores from each layout ----------------------------------------------------------------


def test_qualtrics_customer_survey_scores() -> None:
    _, scored, rejected = score_file("qualtrics_cx_onboarding.csv")
    # NPS answers 10, 9, 8, 6, 0 and the unfinished 10 (11 is rejected):
    # promoters 3, detractors 2 of 6.
    assert sorted(scores(scored, "nps")) == [0, 6, 8, 9, 10, 10]
    assert nps(scores(scored, "nps")) == pytest.approx((3 - 2) / 6 * 100)
    # CSAT 5, 4, 3, 2, 1 and the label "Very satisfied" = 5: top-two-box 3 of 6.
    assert sorted(scores(scored, "csat")) == [1, 2, 3, 4, 5, 5]
    assert csat(scores(scored, "csat")) == pytest.approx(50.0)
    # CES 7, 6, 5, 3, 2 (the 0 is rejected): mean 23 / 5.
    assert ces(scores(scored, "ces")) == pytest.approx(4.6)
    assert set(scored["survey_kind"]) == {"customer"}


def test_qualtrics_out_of_range_answers_are_rejected_with_file_and_row() -> None:
    _, _, rejected = score_file("qualtrics_cx_onboarding.csv")
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert rejected.to_dict("records") == [
        {
            "source_file": "qualtrics_cx_onboarding.csv",
            "source_row": 15,
            "field": "Q1",
            "reason": "NPS answer 11 is outside 0-10",
            "raw_value": "11",
        },
        {
            "source_file": "qualtrics_cx_onboarding.csv",
            "source_row": 15,
            "field": "Q3",
            "reason": "CES answer 0 is outside 1-7",
            "raw_value": "0",
        },
    ]


def test_qualtrics_verbatims_fields_and_unmapped_questions() -> None:
    _, scored, _ = score_file("qualtrics_cx_onboarding.csv")
    verbatims = scored[scored.metric == "verbatim"]
    assert list(verbatims["verbatim"]) == [
        "Très bien !\nL'équipe a été rapide — merci.",
        "Zu langsam. 😞",
    ]
    assert verbatims["score"].isna().all()
    assert scored.loc[scored.metric != "verbatim", "verbatim"].isna().all()
    r4 = scored[scored.response_id == "R_4ddd"].iloc[0]
    assert (r4["touchpoint"], r4["journey_stage"], r4["channel"]) == (
        "billing",
        "activation",
        "email",
    )
    assert r4["team"] is None and r4["job"] is None  # not mapped for this survey
    assert scored.attrs["unmapped_answers"] == 9
    assert scored.attrs["unmapped_questions"] == {
        "qualtrics_cx_onboarding": {"Q5": 2, "Q5_4_TEXT": 1, "QID1_NPS_GROUP": 6}
    }
    # The reader's columns come first, the mapping's after them.
    assert list(scored.columns) == [
        *COLUMNS,
        "metric",
        "score",
        "verbatim",
        "survey_kind",
        "touchpoint",
        "journey_stage",
        "job",
        "team",
        "channel",
    ]
    assert scored["score"].dtype == "float64"


def test_employee_pulse_enps_from_utf16_tsv() -> None:
    _, scored, rejected = score_file("qualtrics_pulse.tsv")
    assert rejected.empty
    # eNPS answers 9, 10, 9, 3, 5, 10, 2: promoters 4, detractors 3 of 7.
    assert scores(scored, "enps") == [9, 10, 9, 3, 5, 10, 2]
    assert nps(scores(scored, "enps")) == pytest.approx((4 - 3) / 7 * 100)
    assert set(scored["survey_kind"]) == {"employee"}
    assert "nps" not in set(scored["metric"])
    by_team = scored[scored.metric == "enps"].groupby("team")["score"].apply(list).to_dict()
    assert by_team == {"Finance": [5, 10], "Sales": [9, 3], "Support": [9, 10, 2]}
    assert list(scored.loc[scored.metric == "verbatim", "job"]) == ["Account executive"]


def test_surveymonkey_scores_with_text_labels() -> None:
    _, scored, rejected = score_file("surveymonkey_delivery.csv")
    assert rejected.empty
    # NPS 10, 7, 3, 9, 10: promoters 3, detractors 1 of 5.
    assert nps(scores(scored, "nps")) == pytest.approx((3 - 1) / 5 * 100)
    # CSAT labels of Q2_1 and Q2_2: 5 4 | 4 3 | 1 2 | 3 5 | 5 5 -> 6 of 10 in the top two boxes.
    assert scores(scored, "csat") == [5, 4, 4, 3, 1, 2, 3, 5, 5, 5]
    assert csat(scores(scored, "csat")) == pytest.approx(60.0)
    # CES 6, 5, 2, 7, 4: mean 24 / 5.
    assert ces(scores(scored, "ces")) == pytest.approx(4.8)
    assert scored.attrs["unmapped_questions"] == {"surveymonkey_delivery": {"Q2_3": 2}}
    assert set(scored["touchpoint"]) == {"delivery", "returns"}


def test_generic_scores_through_a_pattern() -> None:
    _, scored, rejected = score_file("generic_support.csv")
    assert rejected.empty
    assert nps(scores(scored, "nps")) == pytest.approx((2 - 1) / 4 * 100)  # 9, 4, 10, 8
    assert csat(scores(scored, "csat")) == pytest.approx(50.0)  # 5, 3, 4, 2
    assert ces(scores(scored, "ces")) == pytest.approx((3 + 5 + 6) / 3)
    teams = dict(zip(scored["response_id"], scored["team"], strict=False))
    assert teams == {"t1": "Tier 1", "t2": "Tier 2", "t3": None, "t4": None}


# Scales, labels and surveys without a mapping -------------------------------------------------

SCALES = """
surveys:
  cx:
    kind: customer
    questions:
      n: nps
      s:
        metric: csat
        labels: {Very satisfied: 5, Yes: 4, No: 1, "10": 5}
      e: ces
      v: verbatim
  ex:
    kind: employee
    questions:
      n: enps
"""


@pytest.mark.parametrize(
    ("survey", "question", "raw", "score"),
    [
        ("cx", "n", "0", 0.0),
        ("cx", "n", "10", 10.0),
        ("cx", "n", " 9 ", 9.0),
        ("cx", "n", "9.0", 9.0),
        ("cx", "s", "1", 1.0),
        ("cx", "s", "5", 5.0),
        ("cx", "s", "very SATISFIED", 5.0),
        ("cx", "s", "Yes", 4.0),
        ("cx", "s", "no", 1.0),
        ("cx", "s", "10", 5.0),
        ("cx", "e", "1", 1.0),
        ("cx", "e", "7", 7.0),
        ("ex", "n", "0", 0.0),
        ("ex", "n", "10", 10.0),
    ],
)
def test_valid_answers_score(tmp_path, survey, question, raw, score) -> None:
    mapping = load_survey_mapping(write_mapping(tmp_path, SCALES))
    scored, rejected = apply_survey_mapping(answers_frame([(survey, question, raw)]), mapping)
    assert rejected.empty
    assert scored["score"].tolist() == [score]


@pytest.mark.parametrize(
    ("survey", "question", "raw", "reason"),
    [
        ("cx", "n", "11", "NPS answer 11 is outside 0-10"),
        ("cx", "n", "-1", "NPS answer -1 is outside 0-10"),
        ("cx", "n", "7.5", "NPS answer 7.5 is not a whole number on the 0-10 scale"),
        ("cx", "n", "nine", "NPS answer 'nine' is not a number"),
        ("cx", "s", "abc", "CSAT answer 'abc' is not a number or a label of the mapping"),
        ("cx", "s", "0", "CSAT answer 0 is outside 1-5"),
        ("cx", "s", "6", "CSAT answer 6 is outside 1-5"),
        ("cx", "e", "0", "CES answer 0 is outside 1-7"),
        ("cx", "e", "8", "CES answer 8 is outside 1-7"),
        ("cx", "e", "1_0", "CES answer '1_0' is not a number"),
        ("ex", "n", "11", "eNPS answer 11 is outside 0-10"),
    ],
)
def test_invalid_answers_are_rejected(tmp_path, survey, question, raw, reason) -> None:
    mapping = load_survey_mapping(write_mapping(tmp_path, SCALES))
    answers = answers_frame([(survey, "v", "fine"), (survey, question, raw)])
    scored, rejected = apply_survey_mapping(answers, mapping)
    assert rejected.to_dict("records") == [
        {
            "source_file": "answers.csv",
            "source_row": 3,
            "field": question,
            "reason": reason,
            "raw_value": raw,
        }
    ]
    assert len(scored) == (1 if survey == "cx" else 0)  # "v" is a verbatim only in cx


def test_survey_without_mapping_goes_to_rejected(tmp_path) -> None:
    mapping = load_survey_mapping(write_mapping(tmp_path, SCALES))
    answers = answers_frame([("cx", "n", "9"), ("other", "n", "9"), ("other", "q2", "great")])
    scored, rejected = apply_survey_mapping(answers, mapping)
    assert scored["survey_id"].tolist() == ["cx"]
    assert rejected[["source_row", "field", "reason", "raw_value"]].values.tolist() == [
        [3, "n", "no mapping for survey other", "9"],
        [4, "q2", "no mapping for survey other", "great"],
    ]


def test_nothing_mapped_gives_empty_frames_with_columns(tmp_path) -> None:
    mapping = load_survey_mapping(write_mapping(tmp_path, SCALES))
    scored, rejected = apply_survey_mapping(answers_frame([("cx", "unknown", "x")]), mapping)
    assert scored.empty and rejected.empty
    assert "metric" in scored.columns and "touchpoint" in scored.columns
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert scored.attrs["unmapped_answers"] == 1


def test_exact_survey_id_wins_over_an_earlier_pattern(tmp_path) -> None:
    text = """
surveys:
  "pulse_*":
    kind: employee
    questions: {Q1: enps}
  pulse_customers:
    kind: customer
    fields: {channel: via}
    questions: {Q1: nps}
"""
    mapping = load_survey_mapping(write_mapping(tmp_path, text))
    answers = answers_frame(
        [("pulse_customers", "Q1", "9"), ("pulse_2025", "Q1", "9")], embedded='{"via": "web"}'
    )
    scored, _ = apply_survey_mapping(answers, mapping)
    assert scored[["survey_id", "metric", "survey_kind", "channel"]].values.tolist() == [
        ["pulse_customers", "nps", "customer", "web"],
        ["pulse_2025", "enps", "employee", None],
    ]


def test_answers_without_reader_columns_are_refused(tmp_path) -> None:
    mapping = load_survey_mapping(write_mapping(tmp_path, SCALES))
    with pytest.raises(ValueError, match="missing column"):
        apply_survey_mapping(pd.DataFrame({"survey_id": ["cx"]}), mapping)


def test_loaded_mapping_structure() -> None:
    mapping = load_survey_mapping(MAPPING)
    rule = mapping.for_survey("SV_pulse_2025q2")
    assert rule is not None and rule.pattern == "SV_pulse_*" and rule.kind == "employee"
    assert rule.fields == {"team": "team", "job": "job"}
    q2 = mapping.for_survey("surveymonkey_delivery").questions["Q2_2"]  # via a YAML alias
    assert q2.metric == "csat" and q2.labels["neither satisfied nor dissatisfied"] == 3.0
    assert mapping.for_survey("unknown") is None


# Validation -----------------------------------------------------------------------------------

VALID_SURVEY = """
surveys:
  s:
    kind: customer
    questions:
      Q1: nps
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            VALID_SURVEY.replace("Q1: nps", "Q1: npx"),
            "mapping.yml: surveys.s.questions.Q1: unknown metric 'npx' "
            "(expected one of nps, csat, ces, enps, verbatim, ignore)",
        ),
        (
            VALID_SURVEY + "      Q2: csat\n      Q1: ces\n",
            "mapping.yml: key 'Q1' appears twice (lines 6 and 8)",
        ),
        (
            VALID_SURVEY + "  s:\n    kind: employee\n    questions: {Q1: enps}\n",
            "mapping.yml: key 's' appears twice (lines 3 and 7)",
        ),
        (
            VALID_SURVEY.replace("customer", "employee"),
            "mapping.yml: surveys.s.questions.Q1: an employee survey measures eNPS: "
            "use 'enps', not 'nps'",
        ),
        (
            VALID_SURVEY.replace("nps", "enps"),
            "mapping.yml: surveys.s.questions.Q1: eNPS belongs to employee surveys: "
            "use 'nps' or set kind: employee",
        ),
        (
            VALID_SURVEY.replace("    kind: customer\n", ""),
            "mapping.yml: surveys.s.kind: missing (expected one of customer, employee)",
        ),
        (
            VALID_SURVEY.replace("customer", "partner"),
            "mapping.yml: surveys.s.kind: unknown kind 'partner' (expected customer or employee)",
        ),
        (
            "surveys:\n  s:\n    kind: customer\n",
            "mapping.yml: surveys.s.questions: missing or empty: expected question ids as keys",
        ),
        (
            VALID_SURVEY.replace("questions:", "question:"),
            "mapping.yml: surveys.s: unknown key(s) ['question'] "
            "(expected kind, questions, fields, match, timezone, day_first)",
        ),
        (
            VALID_SURVEY + "    fields: {region: region}\n",
            "mapping.yml: surveys.s.fields: unknown key(s) ['region'] "
            "(expected touchpoint, journey_stage, job, team, channel)",
        ),
        (
            VALID_SURVEY + "    fields: {team: ''}\n",
            "mapping.yml: surveys.s.fields.team: expected the name of an embedded-data field",
        ),
        (
            VALID_SURVEY + "      Q2: {metric: csat, labels: {Great: 6}}\n",
            "mapping.yml: surveys.s.questions.Q2.labels.Great: "
            "6 is not a whole number on the csat scale 1-5",
        ),
        (
            VALID_SURVEY + "      Q2: {metric: csat, labels: {Great: high}}\n",
            "mapping.yml: surveys.s.questions.Q2.labels.Great: expected a number, got 'high'",
        ),
        (
            VALID_SURVEY + "      Q2: {metric: csat, labels: {Great: 5, GREAT: 4}}\n",
            "mapping.yml: surveys.s.questions.Q2.labels.GREAT: "
            "the same label (ignoring case) appears twice",
        ),
        (
            VALID_SURVEY + "      Q2: {metric: verbatim, labels: {Great: 5}}\n",
            "mapping.yml: surveys.s.questions.Q2.labels: a verbatim has no scale, so it takes no "
            "labels",
        ),
        (
            VALID_SURVEY + "      Q2: {labels: {Great: 5}}\n",
            "mapping.yml: surveys.s.questions.Q2.metric: missing "
            "(expected one of nps, csat, ces, enps, verbatim, ignore)",
        ),
        (
            "version: 1\n",
            "mapping.yml: surveys: missing or empty: expected survey ids (or patterns) as keys",
        ),
        ("version: 2\n" + VALID_SURVEY, "mapping.yml: version: unsupported version 2 (expected 1)"),
        (
            "survey:\n" + VALID_SURVEY[9:],
            "mapping.yml: top level: unknown key(s) ['survey'] (expected version, surveys)",
        ),
        ("- just\n- a list\n", "mapping.yml: expected a mapping with a 'surveys' key at the top"),
    ],
)
def test_invalid_mapping_names_file_and_key(tmp_path, text, message) -> None:
    with pytest.raises(SurveyMappingError) as err:
        load_survey_mapping(write_mapping(tmp_path, text))
    assert str(err.value) == message


def test_invalid_yaml_and_missing_file(tmp_path) -> None:
    with pytest.raises(SurveyMappingError) as err:
        load_survey_mapping(write_mapping(tmp_path, "surveys:\n  s: [\n  kind: x\n: :\n"))
    assert str(err.value) == (
        "mapping.yml: line 4, column 1: not valid YAML (expected ',' or ']', but got ':')"
    )
    with pytest.raises(SurveyMappingError, match=r"^absent\.yml: cannot be read"):
        load_survey_mapping(tmp_path / "absent.yml")


def test_numeric_survey_ids_are_text(tmp_path) -> None:
    text = "surveys:\n  123456789:\n    kind: customer\n    questions: {1: nps}\n"
    mapping = load_survey_mapping(write_mapping(tmp_path, text))
    scored, _ = apply_survey_mapping(answers_frame([("123456789", "1", "10")]), mapping)
    assert scored["score"].tolist() == [10.0]
    assert json.loads(scored["embedded"].iloc[0]) == {}
