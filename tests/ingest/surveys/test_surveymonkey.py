"""SurveyMonkey "all responses" exports: expanded and condensed, both date styles, an Excel
re-save, a row with a bad date (tests/fixtures/vendor/MANIFEST.md)."""

from __future__ import annotations

import pytest

from tests.ingest.surveys.vendor import csat, nps, read, scores, utc

SM = "surveymonkey/{}/Support Feedback 2022.csv"


@pytest.mark.parametrize(
    "variant", ["expanded", "expanded_iso", "excel_resaved_ids_kept", "condensed", "xlsx"]
)
def test_every_variant_gives_five_responses_nps_20_and_csat_78_6(variant: str) -> None:
    path = SM.format(variant)
    result = read(path if variant != "xlsx" else path.replace(".csv", ".xlsx"))
    scored = scores(result)
    assert len(result.responses) == 5 and result.rejects.empty
    assert set(result.responses["survey_id"]) == {"support_feedback_2022"}
    assert (nps(scored), csat(scored)) == (20.0, 78.6)
    assert (scored["metric"] == "verbatim").sum() == 4


@pytest.mark.parametrize(
    ("variant", "first_two"),
    [
        ("expanded", ("2022-08-24 15:07:27", "2022-08-24 18:04:03")),  # 03:07:27 PM
        ("expanded_iso", ("2022-08-24 15:07:27", "2022-08-24 18:04:03")),
        ("excel_resaved_ids_kept", ("2022-08-24 15:07:00", "2022-08-24 18:04:00")),  # 8/24/22
    ],
)
def test_both_date_styles_read_the_same_times(variant: str, first_two) -> None:
    assert list(read(SM.format(variant)).responses["recorded_at"][:2]) == utc(*first_two)


def test_twelve_am_is_midnight() -> None:
    recorded = read(SM.format("expanded")).responses["recorded_at"]
    assert utc("2022-08-25 00:10:41")[0] in set(recorded)  # End Date 08/25/2022 12:10:41 AM


def test_the_xlsx_question_text_is_unescaped() -> None:
    texts = set(read(SM.format("xlsx").replace(".csv", ".xlsx")).answers["question_text"])
    assert "Is there anything else you'd like to tell us?" in texts


def test_a_row_with_a_bad_date_is_rejected_and_the_rest_of_the_file_loads() -> None:
    result = read(SM.format("bad_date"))
    (reject,) = result.rejects.to_dict("records")
    assert (reject["line_number"], reject["field"]) == (8, "End Date")
    assert reject["value"] == "25/08/2022 03:47:31 PM"
    assert reject["reason"].startswith("cannot parse timestamp '25/08/2022 03:47:31 PM'")
    scored = scores(result)
    assert len(result.responses) == 4
    assert "118233415550" not in set(result.responses["response_id"])
    assert (nps(scored), csat(scored)) == (25.0, 72.7)


def test_ids_excel_turned_into_scientific_notation_are_rejected() -> None:
    result = read(SM.format("excel_resaved"))
    assert result.responses.empty and len(result.rejects) == result.records == 5
    assert set(result.rejects["field"]) == {"Respondent ID"}
    assert all("Excel scientific notation" in r for r in result.rejects["reason"])
