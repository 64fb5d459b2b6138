"""Read one survey export (Qualtrics, SurveyMonkey, the generic long CSV; CSV, TSV or XLSX).

`read_survey_export` tells the layout from the file's content (never its name), finds which
survey it is of (a SurveyID in the file, or the mapping entry whose `match` recognises it), and
returns its responses (one row each, those that answered nothing included), its answers (one
row per answered question, as exported, with the question id) and the rows it rejected (line,
field, value, reason). Personal data the warehouse has no use for (IP addresses, names,
coordinates) stops here. What the answers mean is the survey mapping's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.surveys.cells import Records, SurveyExportError, csv_records, decode, rejects_frame
from ingest.surveys.generic import is_generic, read_generic
from ingest.surveys.qualtrics import has_import_row, is_legacy, is_two_row, read_qualtrics
from ingest.surveys.surveymonkey import is_surveymonkey, read_surveymonkey
from ingest.surveys.wide import ANSWER_COLUMNS, RESPONSE_COLUMNS, Wide, column, to_frames
from ingest.surveys.xlsx import xlsx_records
from ingest.timestamps import TimestampError, zone

LAYOUTS = (
    "Qualtrics (three header rows with ImportId JSON, the 2016 Insights rows with "
    "{'ImportId': ...}, the legacy V1..V10 two rows, or two rows of ids and texts)",
    "SurveyMonkey (two header rows with Respondent ID, expanded or condensed)",
    "the generic long CSV (survey_id, response_id, recorded_at, question_id, answer)",
)
XLSX_SUFFIXES = (".xlsx", ".xlsm")

__all__ = [
    "ANSWER_COLUMNS",
    "LAYOUTS",
    "RESPONSE_COLUMNS",
    "SurveyExportError",
    "SurveyRead",
    "read_survey_export",
]


@dataclass
class SurveyRead:
    """What one export holds: responses, answers, rejected rows, and how many records it had."""

    file_name: str
    layout: str
    responses: pd.DataFrame  # RESPONSE_COLUMNS
    answers: pd.DataFrame  # ANSWER_COLUMNS
    rejects: pd.DataFrame  # line_number, field, reason, value, raw_text
    records: int  # data records in the file, before the documented filters
    filtered: int  # previews, tests and spam dropped


def _records(path: Path) -> Records:
    if path.suffix.casefold() in XLSX_SUFFIXES:
        return xlsx_records(path)
    text = decode(path.read_bytes(), path.name)
    if not text.strip():
        raise SurveyExportError(f"{path.name}: the file is empty")
    return csv_records(text, path.name)


def _unknown(records: Records) -> SurveyExportError:
    shown = ", ".join(repr(c.strip()) for c in records.rows[0][:6])
    return SurveyExportError(
        f"{records.name}: unknown survey export layout; its first header cells are {shown}. "
        f"Known layouts: {'; '.join(LAYOUTS)}"
    )


def read_survey_export(path: str | Path, mapping=None, timezone: str | None = None) -> SurveyRead:
    """Read one export. `mapping` (a SurveyMapping) names surveys and their time zones;
    `timezone` is the zone of naive timestamps when the mapping gives none (default UTC)."""
    path = Path(path)
    records = _records(path)
    if not records.rows:
        raise SurveyExportError(f"{path.name}: the file is empty")
    default_zone = _zone(timezone, f"{path.name}: timezone argument")
    if is_generic(records) and not has_import_row(records):

        def rule_of(survey_id: str):
            return mapping.for_survey(survey_id) if mapping is not None else None

        responses, answers, rejects = read_generic(
            records,
            lambda s: _rule_zone(rule_of(s), default_zone, path.name),
            lambda s: bool(rule_of(s) and rule_of(s).day_first),
        )
        if responses is None:
            responses = pd.DataFrame({c: pd.Series(dtype=object) for c in RESPONSE_COLUMNS})
        records_count = len(records.rows) - 1
        return SurveyRead(
            path.name, "generic", responses, answers, rejects_frame(records.rejects + rejects),
            records_count + len(records.rejects), 0,
        )  # fmt: skip
    if has_import_row(records) or is_legacy(records) or is_two_row(records):
        wide = read_qualtrics(records)
    elif is_surveymonkey(records):
        wide = read_surveymonkey(records)
    else:
        raise _unknown(records)
    survey_ids, rule = _identify(wide, mapping)
    tz = _rule_zone(rule, default_zone, path.name)
    responses, answers, rejects = to_frames(wide, survey_ids, tz, bool(rule and rule.day_first))
    filtered = 0 if wide.excluded is None else int(wide.excluded.sum())
    return SurveyRead(
        path.name, wide.layout, responses, answers, rejects_frame(records.rejects + rejects),
        len(wide.data) + len(records.rejects), filtered,
    )  # fmt: skip


def _identify(wide: Wide, mapping) -> tuple[pd.Series, object]:
    """The survey id of every row, and the mapping rule of the file's survey.

    From the content first (a SurveyID column; an empty cell takes the file's one SurveyID),
    else the mapping entry whose `match` recognises the export's columns and question texts.
    """
    name = wide.records.name
    content = column(wide, "survey_id")
    texts = wide.question_texts + [h for h in wide.header if h]  # SurveyMonkey: row 1 texts
    recognised = mapping.recognising(wide.header, texts) if mapping else []
    if len(recognised) > 1:
        names = ", ".join(r.pattern for r in recognised)
        raise SurveyExportError(f"{name}: the `match` of several surveys fits this export: {names}")
    distinct = sorted(set(content[content != ""])) if content is not None else []
    file_id = recognised[0].pattern if recognised else (distinct[0] if len(distinct) == 1 else None)
    ids = (
        content.where(content != "", file_id)
        if content is not None
        else pd.Series(file_id, index=wide.data.index, dtype=object)
    )
    if ids.isna().any() or file_id is None and content is None:
        texts = "; ".join(repr(t) for t in wide.question_texts[:3]) or "none"
        raise SurveyExportError(
            f"{name}: cannot tell which survey this export is of: it has no SurveyID column "
            f"(or an empty one) and no survey in the mapping has a `match` that fits it (its "
            f"first question texts: {texts}). Add `match: {{question_text: ...}}` to the "
            "survey's mapping entry (docs/surveys.md); the file name is never used"
        )
    rule = mapping.for_survey(file_id or ids.iloc[0]) if mapping is not None else None
    return ids.astype(object), rule


def _rule_zone(rule, default: dt.tzinfo, name: str) -> dt.tzinfo:
    if rule is None or rule.timezone is None:
        return default
    return _zone(rule.timezone, f"{name}: the mapping's timezone")


def _zone(name: str | None, where: str) -> dt.tzinfo:
    try:
        return zone(name)
    except TimestampError as err:
        raise SurveyExportError(f"{where}: {err}") from err
