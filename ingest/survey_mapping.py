"""What survey questions mean: a YAML file the business maintains, and scoring by it.

The reader (`ingest.surveys`) knows layouts, not meaning. This module loads the mapping (which
question of which survey is NPS, CSAT, CES, eNPS or a verbatim, which embedded field carries the
touchpoint, journey stage, job, team and channel, customer or employee survey), validates it at
load so a typo fails with the file and the key. Scoring is not done here: the mapping is landed
as tables (`ingest.survey_mapping_tables`) and applied in dbt (`stg_surveys__answer_scoring`),
so a corrected mapping re-scores every answer already loaded.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.strict_yaml import read_config_yaml
from ingest.timestamps import TimestampError, zone

# Scored metrics and their scales (inclusive); a verbatim is free text.
METRIC_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "enps": (0, 10)}
# `ignore`: a column the survey tool derives (Qualtrics `Q1_NPS_GROUP`), kept in raw, never
# scored and not reported as unmapped.
METRICS = (*METRIC_SCALES, "verbatim", "ignore")
METRIC_LABELS = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "enps": "eNPS",
    "verbatim": "verbatim",
    "ignore": "ignored",
}
SURVEY_KINDS = ("customer", "employee")
FIELD_ROLES = ("touchpoint", "journey_stage", "job", "team", "channel")


_TOP_KEYS = ("version", "surveys")
_SURVEY_KEYS = ("kind", "questions", "fields", "match", "timezone", "day_first")
_MATCH_KEYS = ("question_text", "columns")
_QUESTION_KEYS = ("metric", "labels")


class SurveyMappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the offending key."""


@dataclass(frozen=True)
class QuestionMapping:
    """One mapped question: its metric and the answer labels that stand for a score."""

    question_id: str
    metric: str
    labels: dict[str, float] = field(default_factory=dict)  # keys case-folded


@dataclass(frozen=True)
class SurveyRule:
    """The mapping of the surveys whose id equals or matches (fnmatch) `pattern`."""

    pattern: str
    kind: str
    questions: dict[str, QuestionMapping]
    fields: dict[str, str]
    match_question_text: tuple[str, ...] = ()  # globs, any question's text
    match_columns: tuple[str, ...] = ()  # column ids that must all be in the export
    timezone: str | None = None
    day_first: bool = False

    def matches(self, survey_id: str) -> bool:
        return fnmatch.fnmatchcase(survey_id, self.pattern)

    @property
    def recognises_exports(self) -> bool:
        return bool(self.match_question_text or self.match_columns)

    def recognises(self, columns: list[str], question_texts: list[str]) -> bool:
        """Whether an export with these column ids and question texts is of this survey."""
        if not self.recognises_exports:
            return False
        texts = [t.casefold() for t in question_texts]
        text_ok = all(
            any(fnmatch.fnmatchcase(t, p.casefold()) for t in texts)
            for p in self.match_question_text
        )
        return text_ok and set(self.match_columns) <= set(columns)


@dataclass(frozen=True)
class SurveyMapping:
    """Every survey rule of one mapping file, in file order."""

    source: str
    rules: tuple[SurveyRule, ...]
    sha256: str | None = None  # of the mapping file: a file that failed under another is re-read

    def recognising(self, columns: list[str], question_texts: list[str]) -> list[SurveyRule]:
        """The rules whose `match` recognises an export with these columns and question texts."""
        return [r for r in self.rules if r.recognises(columns, question_texts)]

    def for_survey(self, survey_id: str) -> SurveyRule | None:
        """The rule whose key is exactly `survey_id`, else the first pattern that matches."""
        survey_id = str(survey_id)
        for rule in self.rules:
            if rule.pattern == survey_id:
                return rule
        return next((rule for rule in self.rules if rule.matches(survey_id)), None)


def load_survey_mapping(path: str | Path) -> SurveyMapping:
    """Read and validate a mapping file; any problem raises SurveyMappingError naming the key."""
    path = Path(path)
    name = path.name
    document = read_config_yaml(path, SurveyMappingError)

    def fail(key: str, message: str) -> SurveyMappingError:
        return SurveyMappingError(f"{name}: {key}: {message}")

    if not isinstance(document, dict):
        raise SurveyMappingError(f"{name}: expected a mapping with a 'surveys' key at the top")
    _check_keys(document, _TOP_KEYS, "top level", fail)
    if "version" in document and str(document["version"]) != "1":
        raise fail("version", f"unsupported version {document['version']!r} (expected 1)")
    surveys = document.get("surveys")
    if not isinstance(surveys, dict) or not surveys:
        raise fail("surveys", "missing or empty: expected survey ids (or patterns) as keys")
    rules = [
        _survey_rule(_text_key(key, "surveys", fail), body, fail) for key, body in surveys.items()
    ]
    return SurveyMapping(name, tuple(rules), hashlib.sha256(path.read_bytes()).hexdigest())


def _survey_rule(pattern: str, body: Any, fail) -> SurveyRule:
    where = f"surveys.{pattern}"
    if not isinstance(body, dict):
        raise fail(where, "expected a mapping with 'kind' and 'questions'")
    _check_keys(body, _SURVEY_KEYS, where, fail)
    kind = body.get("kind")
    if kind is None:
        raise fail(f"{where}.kind", f"missing (expected one of {', '.join(SURVEY_KINDS)})")
    if kind not in SURVEY_KINDS:
        raise fail(f"{where}.kind", f"unknown kind {kind!r} (expected {' or '.join(SURVEY_KINDS)})")
    questions = body.get("questions")
    if not isinstance(questions, dict) or not questions:
        raise fail(f"{where}.questions", "missing or empty: expected question ids as keys")
    mapped = {}
    for key, spec in questions.items():
        question_id = _text_key(key, f"{where}.questions", fail)
        question = _question(question_id, spec, f"{where}.questions.{question_id}", fail)
        if kind == "employee" and question.metric == "nps":
            raise fail(
                f"{where}.questions.{question_id}",
                "an employee survey measures eNPS: use 'enps', not 'nps'",
            )
        if kind == "customer" and question.metric == "enps":
            raise fail(
                f"{where}.questions.{question_id}",
                "eNPS belongs to employee surveys: use 'nps' or set kind: employee",
            )
        mapped[question_id] = question
    fields = body.get("fields") or {}
    if not isinstance(fields, dict):
        raise fail(f"{where}.fields", f"expected a mapping of {', '.join(FIELD_ROLES)}")
    _check_keys(fields, FIELD_ROLES, f"{where}.fields", fail)
    for role, column in fields.items():
        if not isinstance(column, str) or not column.strip():
            raise fail(f"{where}.fields.{role}", "expected the name of an embedded-data field")
    texts, columns = _match(pattern, body.get("match"), f"{where}.match", fail)
    timezone = body.get("timezone")
    if timezone is not None:
        try:
            zone(str(timezone))
        except TimestampError as err:
            raise fail(f"{where}.timezone", str(err)) from err
    day_first = body.get("day_first", False)
    if not isinstance(day_first, bool):
        raise fail(f"{where}.day_first", f"expected true or false, got {day_first!r}")
    return SurveyRule(
        pattern,
        kind,
        mapped,
        {role: column.strip() for role, column in fields.items()},
        texts,
        columns,
        None if timezone is None else str(timezone),
        day_first,
    )


def _match(pattern: str, spec: Any, where: str, fail) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """How exports of this survey are recognised from their content (not their file name)."""
    if spec is None:
        return (), ()
    if not isinstance(spec, dict) or not spec:
        raise fail(where, f"expected a mapping with {' and/or '.join(_MATCH_KEYS)}")
    _check_keys(spec, _MATCH_KEYS, where, fail)
    if any(c in pattern for c in "*?["):
        raise fail(where, "a survey recognised by `match` needs a plain id as its key, not a glob")
    found = []
    for key in _MATCH_KEYS:
        value = spec.get(key, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise fail(f"{where}.{key}", "expected text or a list of texts")
        found.append(tuple(v.strip() for v in values))
    return found[0], found[1]


def _question(question_id: str, spec: Any, where: str, fail) -> QuestionMapping:
    if isinstance(spec, str):
        spec = {"metric": spec}
    if not isinstance(spec, dict):
        raise fail(where, f"expected a metric ({', '.join(METRICS)}) or a mapping with 'metric'")
    _check_keys(spec, _QUESTION_KEYS, where, fail)
    metric = spec.get("metric")
    if metric is None:
        raise fail(f"{where}.metric", f"missing (expected one of {', '.join(METRICS)})")
    if metric not in METRICS:
        raise fail(where, f"unknown metric {metric!r} (expected one of {', '.join(METRICS)})")
    labels = spec.get("labels") or {}
    if labels and metric == "verbatim":
        raise fail(f"{where}.labels", "a verbatim has no scale, so it takes no labels")
    if not isinstance(labels, dict):
        raise fail(f"{where}.labels", "expected answer texts as keys and scores as values")
    low, high = METRIC_SCALES.get(metric, (0, 0))
    folded: dict[str, float] = {}
    for key, value in labels.items():
        label = _text_key(key, f"{where}.labels", fail)
        at = f"{where}.labels.{label}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(at, f"expected a number, got {value!r}")
        if not low <= value <= high or value != int(value):
            raise fail(at, f"{value} is not a whole number on the {metric} scale {low}-{high}")
        if label.casefold() in folded:
            raise fail(at, "the same label (ignoring case) appears twice")
        folded[label.casefold()] = float(value)
    return QuestionMapping(question_id, metric, folded)


def _check_keys(body: dict, allowed: tuple[str, ...], where: str, fail) -> None:
    unknown = [k for k in body if k not in allowed]
    if unknown:
        raise fail(where, f"unknown key(s) {unknown} (expected {', '.join(allowed)})")


def _text_key(key: Any, where: str, fail) -> str:
    """A key as text: strings as they are, integers (SurveyMonkey survey ids) as digits."""
    if isinstance(key, bool) or not isinstance(key, str | int) or not str(key).strip():
        raise fail(where, f"key {key!r} must be text (quote it)")
    return str(key).strip()
