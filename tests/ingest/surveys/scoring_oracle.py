"""The tests' reference scorer: what the dbt model `stg_surveys__answer_scoring` must compute,
written independently in Python so the reader tests can check their fixtures' scores without a
dbt build, and `tests/dbt/test_survey_scoring.py` can compare the model with it."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pandas as pd

from ingest.survey_mapping import (
    FIELD_ROLES,
    METRIC_LABELS,
    METRIC_SCALES,
    QuestionMapping,
    SurveyMapping,
    SurveyRule,
)

SCORED_EXTRA_COLUMNS = ("metric", "score", "verbatim", "survey_kind", *FIELD_ROLES)
REJECTED_COLUMNS = ("source_file", "source_row", "field", "reason", "raw_value")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
ANSWER_COLUMNS = ("survey_id", "question_id", "answer", "embedded", "source_file", "source_row")


def apply_survey_mapping(
    answers: pd.DataFrame, mapping: SurveyMapping
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the answers of `read_survey_export` by `mapping`: (scored, rejected).

    scored: the answers of mapped questions plus SCORED_EXTRA_COLUMNS. rejected: one row per
    answer outside its scale or not a number, and per answer of a survey the mapping does not
    cover (reason "no mapping for survey <id>"). Answers to questions the mapping does not name
    are in neither: they stay in the raw answers and are counted in
    scored.attrs["unmapped_answers"] (total) and scored.attrs["unmapped_questions"]
    ({survey_id: {question_id: count}}).
    """
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise ValueError(f"answers are missing column(s) {missing}; expected read_survey_export")
    rules: dict[str, SurveyRule | None] = {}
    embedded_cache: dict[str, dict] = {}
    positions: list[int] = []
    extras: list[tuple] = []
    rejected: list[tuple] = []
    unmapped: Counter[tuple[str, str]] = Counter()
    columns = [answers.columns.get_loc(c) for c in ANSWER_COLUMNS]
    for position, row in enumerate(answers.itertuples(index=False, name=None)):
        survey_id, question_id, answer, embedded, source_file, source_row = (
            row[i] for i in columns
        )
        if survey_id not in rules:
            rules[survey_id] = mapping.for_survey(survey_id)
        rule = rules[survey_id]
        if rule is None:
            reason = f"no mapping for survey {survey_id}"
            rejected.append((source_file, source_row, question_id, reason, answer))
            continue
        question = rule.questions.get(question_id)
        if question is None:
            unmapped[(survey_id, question_id)] += 1
            continue
        if question.metric == "ignore":
            continue
        if question.metric == "verbatim":
            score, verbatim = None, answer
        else:
            score, reason = _score(question, answer)
            if reason is not None:
                rejected.append((source_file, source_row, question_id, reason, answer))
                continue
            verbatim = None
        if embedded not in embedded_cache:
            embedded_cache[embedded] = _embedded(embedded, source_file, source_row)
        values = embedded_cache[embedded]
        roles = tuple(_field(values, rule.fields.get(role)) for role in FIELD_ROLES)
        positions.append(position)
        extras.append((question.metric, score, verbatim, rule.kind, *roles))

    scored = answers.iloc[positions].reset_index(drop=True)
    extra_columns = list(zip(*extras, strict=True)) if extras else [()] * len(SCORED_EXTRA_COLUMNS)
    for name, values in zip(SCORED_EXTRA_COLUMNS, extra_columns, strict=True):
        dtype = "float64" if name == "score" else object
        scored[name] = pd.Series(list(values), dtype=dtype)
    per_survey: dict[str, dict[str, int]] = {}
    for (survey_id, question_id), count in sorted(unmapped.items()):
        per_survey.setdefault(survey_id, {})[question_id] = count
    scored.attrs["unmapped_answers"] = sum(unmapped.values())
    scored.attrs["unmapped_questions"] = per_survey

    rejected_columns = list(zip(*rejected, strict=True)) if rejected else [()] * 5
    rejected_frame = pd.DataFrame(
        {
            name: pd.Series(list(values), dtype="int64" if name == "source_row" else object)
            for name, values in zip(REJECTED_COLUMNS, rejected_columns, strict=True)
        }
    )
    return scored, rejected_frame


def _embedded(text: Any, source_file: str, source_row: int) -> dict:
    if text is None or (isinstance(text, float) and text != text):
        return {}
    try:
        values = json.loads(text)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{source_file}: row {source_row}: embedded is not JSON ({err})") from err
    if not isinstance(values, dict):
        raise ValueError(f"{source_file}: row {source_row}: embedded is not a JSON object")
    return values


def _field(values: dict, name: str | None) -> str | None:
    if name is None:
        return None
    value = values.get(name)
    if value is None or not str(value).strip():
        return None
    return str(value)


def _score(self: QuestionMapping, answer: str) -> tuple[float | None, str | None]:
    """(score, None) for a valid answer, (None, reason) for one outside the scale."""
    text = answer.strip()
    label = METRIC_LABELS[self.metric]
    if text.casefold() in self.labels:
        return self.labels[text.casefold()], None
    if not _NUMBER.match(text):
        known = " or a label of the mapping" if self.labels else ""
        return None, f"{label} answer {text!r} is not a number{known}"
    value = float(text)
    low, high = METRIC_SCALES[self.metric]
    if not low <= value <= high:
        return None, f"{label} answer {text} is outside {low}-{high}"
    if value != int(value):
        return None, f"{label} answer {text} is not a whole number on the {low}-{high} scale"
    return value, None
