"""Qualtrics exports in every layout Qualtrics has written (tests/fixtures/vendor/MANIFEST.md):
the same four responses give the same answers, NPS and CSAT whatever the layout."""

from __future__ import annotations

import json

import pytest

from tests.ingest.surveys.vendor import csat, nps, read, scores, utc

OCTOBER = {  # MANIFEST "shared Qualtrics set": 4 kept responses, NPS +25, CSAT 75 %
    "current numeric": "qualtrics/Acme+Support+Survey_October+23,+2020_14.25.csv",
    "current choice text": "qualtrics/Acme+Support+Survey_October+23,+2020_14.27.csv",
    "choice text, UTF-16 TSV": "qualtrics/Acme Support Survey_October 23, 2020_14.27.tsv",
    "Excel re-save": "qualtrics/excel_resaved/Acme+Support+Survey_October+23,+2020_14.25.csv",
    "2016 Insights": "qualtrics/insights_2016/Acme_Support_Survey.csv",
    "2016 Insights, UTC": "qualtrics/insights_2016_tz/Acme_Support_Survey.csv",
    "legacy two rows": "qualtrics/legacy_2row/Acme_Support_Survey.csv",
    "XLSX": "qualtrics/Acme+Support+Survey_October+23,+2020_14.31.xlsx",
}
KEPT = ["R_2TmQh4xYvK8bN3e", "R_1dLw0pZc9sXe4Gf", "R_6FzK2wQy8NhV1sB", "R_3JcN5uHq0oZx7Aa"]
LEGACY_KEPT = ["R_a4Xk9PmQ2wL7vBn", "R_bT2nY6cRz0eHq1s"]


@pytest.mark.parametrize("variant", list(OCTOBER))
def test_every_layout_gives_the_same_responses_nps_and_csat(variant: str) -> None:
    result = read(OCTOBER[variant])
    scored = scores(result)
    assert len(result.responses) == 4 and result.filtered == 2  # a preview and spam dropped
    assert result.rejects.empty
    assert set(result.responses["survey_id"]) == {"SV_3a9XkQ2mZbL7cPw"}  # by content
    assert (nps(scored), csat(scored)) == (25.0, 75.0)
    assert (scored["metric"] == "verbatim").sum() == 3
    if not variant.startswith(("2016", "legacy")):
        assert list(result.responses["response_id"]) == KEPT
    else:
        assert list(result.responses["response_id"][:2]) == LEGACY_KEPT


@pytest.mark.parametrize(
    ("variant", "recorded"),
    [
        ("current numeric", ("2020-10-20 15:14:32", "2020-10-20 22:47:10")),
        ("Excel re-save", ("2020-10-20 15:14:00", "2020-10-20 22:47:00")),  # to the minute
        ("XLSX", ("2020-10-20 15:14:32", "2020-10-20 22:47:10")),  # naive: the mapping's zone
        ("2016 Insights", ("2016-10-20 15:14:31", "2016-10-20 22:47:09")),  # EndDate, Denver
        ("2016 Insights, UTC", ("2016-10-20 15:14:31", "2016-10-20 22:47:09")),  # timeZone Z
    ],
)
def test_times_are_read_in_the_right_zone_to_utc(variant: str, recorded) -> None:
    result = read(OCTOBER[variant])
    assert list(result.responses["recorded_at"][:2]) == utc(*recorded)


def test_the_last_october_response_rolls_over_to_the_next_day_in_utc() -> None:
    result = read(OCTOBER["current numeric"])
    assert list(result.responses["recorded_at"]) == utc(
        "2020-10-20 15:14:32", "2020-10-20 22:47:10", "2020-10-21 17:27:03", "2020-10-23 02:03:45"
    )


def test_choice_text_is_recoded_through_the_value_labels() -> None:
    numeric = scores(read(OCTOBER["current numeric"]))
    text = scores(read(OCTOBER["current choice text"]))
    keys = ["response_id", "question_id", "score"]
    assert (
        numeric.loc[numeric.metric != "verbatim", keys].values.tolist()
        == text.loc[text.metric != "verbatim", keys].values.tolist()
    )
    assert "10 - Extremely likely" in set(text["answer"])


def test_personal_columns_never_leave_the_reader() -> None:
    for variant in ("current numeric", "2016 Insights", "legacy two rows"):
        result = read(OCTOBER[variant])
        everything = result.responses.to_csv() + result.answers.to_csv()
        for personal in ("203.0.113.21", "Rivera", "39.739", "Anonymous", "Default Response Set"):
            assert personal not in everything, (variant, personal)
        assert json.loads(result.responses["embedded"].iloc[0]) == {
            "team": "Tier 1",
            "touchpoint": "chat",
        }


def test_the_survey_id_in_the_file_wins_and_dst_fall_back_is_the_first_occurrence() -> None:
    result = read("qualtrics/Acme+Support+Survey_November+2,+2020_09.03.csv")
    assert len(result.responses) == 3 and result.filtered == 1  # the Survey Test
    assert set(result.responses["survey_id"]) == {"SV_3a9XkQ2mZbL7cPw"}
    assert list(result.responses["recorded_at"]) == utc(
        "2020-10-26 16:04:01", "2020-11-01 07:30:12", "2020-11-01 20:09:31"
    )
    scored = scores(result)
    assert (nps(scored), csat(scored)) == (0.0, 33.3)


def test_a_response_that_answered_nothing_is_kept_unfinished() -> None:
    result = read("qualtrics/Acme+Support+Survey_November+2,+2020_09.05.csv")
    responses = result.responses.set_index("response_id")
    assert len(responses) == 3
    empty = [r for r in responses.index if r.startswith("R_8Hj")]
    assert len(empty) == 1 and not responses.loc[empty[0], "finished"]
    assert empty[0] not in set(result.answers["response_id"])
    assert json.loads(responses.loc[empty[0], "embedded"])  # its embedded data is kept
    scored = scores(result)
    assert (nps(scored), csat(scored)) == (-50.0, 0.0)
