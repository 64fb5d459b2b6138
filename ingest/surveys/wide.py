"""From a wide export (one row per response, one column per question) to responses and answers.

Each layout module describes its file as a `Wide`: which column holds what (`roles`), the
questions with their ids and texts, the embedded-data fields. `to_frames` then works on columns:
timestamps through the shared parser, answers by melting the question columns. A row with an
unreadable date, an empty or mangled response id or an unreadable finished flag is rejected
(line, field, value, reason); the others load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.surveys.cells import Records, booleans, embedded_json, excel_scientific, reject
from ingest.timestamps import accepted_styles, parse_timestamps

RESPONSE_COLUMNS = (
    "survey_id",
    "response_id",
    "recorded_at",
    "finished",
    "respondent_email",
    "external_ref",
    "embedded",
    "layout",
    "source_row",
)
ANSWER_COLUMNS = (
    "survey_id",
    "response_id",
    "question_id",
    "question_text",
    "answer",
    "source_row",
)


@dataclass
class Wide:
    """One wide export as a layout module read it."""

    layout: str
    records: Records
    data: pd.DataFrame  # the data rows, text cells by column position
    lines: np.ndarray  # the physical line of each data row
    header: list[str]  # column ids (row 1)
    questions: list[tuple[int, str, str | None]]  # position, question id, question text
    roles: dict[str, int]  # response_id, recorded_at, finished, status, email, ...
    role_names: dict[str, str]  # the column name of each role, for messages
    embedded: list[tuple[int, str]] = field(default_factory=list)
    zones: dict[str, dt.tzinfo] = field(default_factory=dict)  # from the file (Qualtrics)
    excluded: pd.Series | None = None  # previews, tests, spam: dropped (a documented filter)
    finished_default: bool = True

    @property
    def question_texts(self) -> list[str]:
        return [text for _, _, text in self.questions if text]


def column(wide: Wide, role: str) -> pd.Series | None:
    index = wide.roles.get(role)
    if index is None:
        return None
    return wide.data[index].fillna("").astype(str).str.strip()


def to_frames(
    wide: Wide, survey_ids: pd.Series, tz: dt.tzinfo, day_first: bool
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """(responses, answers, rejects) of a wide export whose rows belong to `survey_ids`."""
    keep = pd.Series(True, index=wide.data.index)
    if wide.excluded is not None:
        keep &= ~wide.excluded
    rejects: list[dict] = []

    def refuse(bad: pd.Series, role: str, reason) -> None:
        nonlocal keep
        bad = bad & keep
        name = wide.role_names[role]
        values = column(wide, role)
        for position in np.flatnonzero(bad.to_numpy()):
            value = values.iloc[position]
            text = reason(value) if callable(reason) else reason
            rejects.append(reject(int(wide.lines[position]), name, text, value))
        keep &= ~bad

    response_id = column(wide, "response_id")
    refuse(response_id == "", "response_id", "empty value in a required column")
    refuse(
        excel_scientific(response_id),
        "response_id",
        lambda v: (
            f"{v!r} is not an id (Excel scientific notation: the id's digits are lost); "
            "re-export the file, or format the column as a number before saving it in Excel"
        ),
    )
    duplicated = response_id.duplicated(keep="first") & keep & (response_id != "")
    first_line = pd.Series(wide.lines, index=wide.data.index).groupby(response_id).transform("min")
    for position in np.flatnonzero(duplicated.to_numpy()):
        rid = response_id.iloc[position]
        rejects.append(
            reject(
                int(wide.lines[position]),
                wide.role_names["response_id"],
                f"duplicate response id {rid!r}: also on line {first_line.iloc[position]}, "
                "which is kept",
                rid,
            )
        )
    keep &= ~duplicated

    recorded_text = column(wide, "recorded_at")
    recorded = parse_timestamps(
        recorded_text, wide.zones.get("recorded_at", tz), day_first=day_first
    )
    styles = accepted_styles(day_first)
    refuse(
        recorded.isna(),
        "recorded_at",
        lambda v: f"cannot parse timestamp {v!r} (expected {styles})" if v else "empty timestamp",
    )
    finished = pd.Series(True, index=wide.data.index)
    if "finished" in wide.roles:
        finished, bad = booleans(column(wide, "finished"), wide.finished_default)
        refuse(bad, "finished", lambda v: f"expected true/false or 1/0, got {v!r}")

    rows = np.flatnonzero(keep.to_numpy())
    email, external = column(wide, "email"), column(wide, "external_ref")
    responses = pd.DataFrame(
        {
            "survey_id": pd.Series(survey_ids.iloc[rows].to_numpy(), dtype=object),
            "response_id": pd.Series(response_id.iloc[rows].to_numpy(), dtype=object),
            "recorded_at": recorded.iloc[rows].to_numpy(),
            "finished": finished.iloc[rows].to_numpy(dtype=bool),
            "respondent_email": _or_none(email, rows),
            "external_ref": _or_none(external, rows),
            "embedded": pd.Series(
                embedded_json(wide.data.iloc[rows], wide.embedded).to_numpy(), dtype=object
            ),
            "layout": wide.layout,
            "source_row": wide.lines[rows],
        }
    )
    responses["recorded_at"] = pd.to_datetime(responses["recorded_at"], utc=True)
    return responses, _answers(wide, responses, rows), rejects


def _or_none(values: pd.Series | None, rows: np.ndarray) -> pd.Series:
    """Text cells, empty ones as None (object dtype: pandas' string dtype would make them NaN)."""
    if values is None:
        return pd.Series([None] * len(rows), dtype=object)
    picked = values.iloc[rows].to_numpy(dtype=object)
    return pd.Series([v if v != "" else None for v in picked], dtype=object)


def _answers(wide: Wide, responses: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """One row per answered question (blank cells give none), by melting the question columns."""
    if not wide.questions or not len(rows):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ANSWER_COLUMNS})
    positions = [p for p, _, _ in wide.questions]
    cells = wide.data.iloc[rows][positions].fillna("").astype(str).to_numpy()
    n_rows, n_questions = cells.shape
    answered = np.char.strip(cells.astype(str)) != ""
    row_index, question_index = np.nonzero(answered)
    ids = np.array([q for _, q, _ in wide.questions], dtype=object)
    texts = np.array([t for _, _, t in wide.questions], dtype=object)
    return pd.DataFrame(
        {
            "survey_id": pd.Series(responses["survey_id"].to_numpy()[row_index], dtype=object),
            "response_id": pd.Series(responses["response_id"].to_numpy()[row_index], dtype=object),
            "question_id": pd.Series(ids[question_index], dtype=object),
            "question_text": pd.Series(texts[question_index], dtype=object),
            "answer": pd.Series(cells[row_index, question_index], dtype=object),
            "source_row": responses["source_row"].to_numpy()[row_index],
        }
    )
