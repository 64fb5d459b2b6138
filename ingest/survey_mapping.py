"""What survey questions mean: a YAML file the business maintains, and scoring by it.

The reader (`ingest.surveys`) knows layouts, not meaning. This module loads the mapping (which
question of which survey is NPS, CSAT, CES, eNPS or a verbatim, which embedded field carries the
touchpoint, journey stage, job, team and channel, customer or employee survey), validates it at
load so a typo fails with the file and the key, and turns long answers into scores. Every answer
is accounted for: scored, rejected with a reason, or counted as an unmapped question.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from common.strict_yaml import read_config_yaml
from ingest.timestamps import TimestampError, zone

# Scored metrics and their scales (inclusive); a verbatim is free text.
METRIC_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "enps": (0, 10)}
METRICS = (*METRIC_SCALES, "verbatim")
METRIC_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "enps": "eNPS", "verbatim": "verbatim"}
SURVEY_KINDS = ("customer", "employee")
FIELD_ROLES = ("touchpoint", "journey_stage", "job", "team", "channel")

SCORED_EXTRA_COLUMNS = ("metric", "score", "verbatim", "survey_kind", *FIELD_ROLES)
REJECTED_COLUMNS = ("source_file", "source_row", "field", "reason", "raw_value")
ANSWER_COLUMNS = (
    "survey_id",
    "question_id",
    "answer",
    "embedded",
    "source_file",
    "source_row",
)

_TOP_KEYS = ("version", "surveys")
_SURVEY_KEYS = ("kind", "questions", "fields", "match", "timezone", "day_first")
_MATCH_KEYS = ("question_text", "columns")
_QUESTION_KEYS = ("metric", "labels")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class SurveyMappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the offending key."""


@dataclass(frozen=True)
class QuestionMapping:
    """One mapped question: its metric and the answer labels that stand for a score."""

    question_id: str
    metric: str
    labels: dict[str, float] = field(default_factory=dict)  # keys case-folded

    def score(self, answer: str) -> tuple[float | None, str | None]:
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
        if question.metric == "verbatim":
            score, verbatim = None, answer
        else:
            score, reason = question.score(answer)
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
