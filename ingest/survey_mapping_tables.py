"""The survey mapping as raw tables, landed from the YAML on every survey load, for dbt to apply.

The raw answers keep every answer as exported; what a question measures is applied downstream
(`stg_surveys__answer_scoring`), so a corrected mapping re-scores all history on the next run
without re-loading a file. Survey keys may be glob patterns, which SQL engines do not share:
they are resolved here against the survey ids that raw holds (a handful, not one per answer), so
the tables hold one row per survey id (`raw.survey_mapping_surveys`), per mapped question
(`raw.survey_mapping_questions`) and per answer label (`raw.survey_mapping_labels`). Each load
replaces their contents in one transaction.

A survey recognised by `match` is loaded under its mapping key: fixing a mistyped key would
orphan the answers loaded under the typo. So a raw survey id no key names is recognised again
from the question texts raw keeps (`match.question_text`); when exactly one survey of the
mapping recognises it, that survey's mapping applies to it (the answers keep the id they were
loaded under, `mapping_key` says which key scores them).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ingest.load_log import RAW_SCHEMA, now_utc
from ingest.survey_mapping import FIELD_ROLES, METRIC_LABELS, METRIC_SCALES, SurveyMapping

SURVEYS_TABLE = f"{RAW_SCHEMA}.survey_mapping_surveys"
QUESTIONS_TABLE = f"{RAW_SCHEMA}.survey_mapping_questions"
LABELS_TABLE = f"{RAW_SCHEMA}.survey_mapping_labels"
MAPPING_TABLES = (SURVEYS_TABLE, QUESTIONS_TABLE, LABELS_TABLE)

_FIELD_COLUMNS = [f"{role}_field" for role in FIELD_ROLES]
_DDL = f"""
create table if not exists {SURVEYS_TABLE} (
    survey_id varchar not null,
    mapping_key varchar not null,
    survey_kind varchar not null,
    {", ".join(f"{c} varchar" for c in _FIELD_COLUMNS)},
    _mapping_file varchar, _mapping_sha256 varchar, _loaded_at timestamp
);
create table if not exists {QUESTIONS_TABLE} (
    survey_id varchar not null,
    question_id varchar not null,
    metric varchar not null,
    metric_label varchar not null,
    scale_min integer,
    scale_max integer,
    has_labels boolean not null,
    _mapping_file varchar, _mapping_sha256 varchar, _loaded_at timestamp
);
create table if not exists {LABELS_TABLE} (
    survey_id varchar not null,
    question_id varchar not null,
    label varchar not null,
    score double not null,
    _mapping_file varchar, _mapping_sha256 varchar, _loaded_at timestamp
)
"""


def ensure_mapping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(_DDL)


def mapping_frames(
    mapping: SurveyMapping,
    survey_ids: list[str],
    question_texts: dict[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(surveys, questions, labels) for the survey ids seen plus every plain (non-glob) key;
    `question_texts` (per survey id) recognises ids no key names by the mapping's `match`."""
    plain = [r.pattern for r in mapping.rules if not any(c in r.pattern for c in "*?[")]
    surveys, questions, labels = [], [], []
    for survey_id in sorted(set(survey_ids) | set(plain)):
        rule = mapping.for_survey(survey_id)
        if rule is None:
            texts = (question_texts or {}).get(survey_id, [])
            found = [r for r in mapping.rules if r.match_question_text and not r.match_columns]
            found = [r for r in found if r.recognises([], texts)]
            rule = found[0] if len(found) == 1 else None
        if rule is None:  # unmapped: reported downstream (stg_surveys__unmapped_questions)
            continue
        fields = [rule.fields.get(role) for role in FIELD_ROLES]
        surveys.append((survey_id, rule.pattern, rule.kind, *fields))
        for question in rule.questions.values():
            low, high = METRIC_SCALES.get(question.metric, (None, None))
            label = METRIC_LABELS[question.metric]
            has_labels = bool(question.labels)
            questions.append(
                (survey_id, question.question_id, question.metric, label, low, high, has_labels)
            )
            labels += [(survey_id, question.question_id, k, v) for k, v in question.labels.items()]
    return (
        pd.DataFrame(surveys, columns=["survey_id", "mapping_key", "survey_kind", *_FIELD_COLUMNS]),
        pd.DataFrame(
            questions,
            columns=[
                "survey_id", "question_id", "metric", "metric_label",
                "scale_min", "scale_max", "has_labels",
            ],
        ).astype({"scale_min": "Int32", "scale_max": "Int32"}),
        pd.DataFrame(labels, columns=["survey_id", "question_id", "label", "score"]),
    )  # fmt: skip


def land_survey_mapping(con: duckdb.DuckDBPyConnection, mapping: SurveyMapping) -> dict[str, int]:
    """Replace the mapping tables with `mapping`, resolved for the survey ids in raw; rows each."""
    ensure_mapping_tables(con)
    survey_ids = [
        row[0]
        for row in con.execute(
            f"select distinct survey_id from {RAW_SCHEMA}.survey_responses "
            f"union select distinct survey_id from {RAW_SCHEMA}.survey_answers"
        ).fetchall()
    ]
    unnamed = [i for i in survey_ids if mapping.for_survey(i) is None]
    texts: dict[str, list[str]] = {i: [] for i in unnamed}
    if unnamed:
        rows = con.execute(
            f"select distinct survey_id, question_text from {RAW_SCHEMA}.survey_answers "
            "where question_text is not null and list_contains(?, survey_id)",
            [unnamed],
        ).fetchall()
        for survey_id, text in rows:
            texts[survey_id].append(text)
    frames = mapping_frames(mapping, survey_ids, texts)
    stamp = {"_mapping_file": mapping.source, "_mapping_sha256": mapping.sha256}
    stamp["_loaded_at"] = now_utc()
    counts = {}
    con.begin()
    try:
        for table, frame in zip(MAPPING_TABLES, frames, strict=True):
            con.register("rox_survey_mapping_frame", frame.assign(**stamp))
            con.execute(f"delete from {table}")
            con.execute(f"insert into {table} by name select * from rox_survey_mapping_frame")
            con.unregister("rox_survey_mapping_frame")
            counts[table] = len(frame)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return counts
