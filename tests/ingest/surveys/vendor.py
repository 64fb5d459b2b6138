"""What the vendor-layout survey tests share: the fixtures, their mapping, NPS and CSAT."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingest.survey_mapping import load_survey_mapping
from ingest.surveys import read_survey_export
from tests.ingest.surveys.scoring_oracle import apply_survey_mapping

VENDOR = Path(__file__).parents[2] / "fixtures" / "vendor"
MAPPING = load_survey_mapping(VENDOR / "survey_mapping.yml")


def read(relative: str, timezone: str | None = None):
    return read_survey_export(VENDOR / relative, MAPPING, timezone)


def scores(read_result) -> pd.DataFrame:
    """The answers scored by the fixtures' mapping (what raw.survey_answers holds)."""
    answers = read_result.answers.merge(
        read_result.responses[["survey_id", "response_id", "embedded"]],
        on=["survey_id", "response_id"],
    ).assign(source_file=read_result.file_name)
    scored, rejected = apply_survey_mapping(answers, MAPPING)
    assert rejected.empty, rejected.to_dict("records")
    return scored


def nps(scored: pd.DataFrame) -> float:
    values = scored.loc[scored["metric"] == "nps", "score"]
    return round(100 * ((values >= 9).mean() - (values <= 6).mean()), 1)


def csat(scored: pd.DataFrame) -> float:
    values = scored.loc[scored["metric"] == "csat", "score"]
    return round(100 * (values >= 4).mean(), 1)


def utc(*texts: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(t, tz="UTC") for t in texts]
