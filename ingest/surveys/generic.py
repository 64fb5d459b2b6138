"""The generic long CSV: one row per answer, for tools without a layout of their own.

Columns (any order, case ignored): `survey_id`, `response_id`, `recorded_at`, `question_id`,
`answer`, optional `question_text`, `finished`, `respondent_email`, `external_ref`; any other
column is embedded data of the response.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest.surveys.cells import Records, check_duplicates, is_personal, padded, reject
from ingest.surveys.wide import ANSWER_COLUMNS, Wide, to_frames

REQUIRED = ("survey_id", "response_id", "recorded_at", "question_id", "answer")
OPTIONAL = ("question_text", "finished", "respondent_email", "external_ref")
_ROLES = {"respondent_email": "email", "external_ref": "external_ref", "finished": "finished"}


def is_generic(records: Records) -> bool:
    header = {c.strip().casefold() for c in records.rows[0]}
    return len(set(REQUIRED) & header) >= 2


def read_generic(records: Records, zone_of, day_first_of):
    """(responses, answers, rejects); `zone_of(survey_id)` and `day_first_of` from the mapping."""
    header = [c.strip() for c in records.rows[0]]
    check_duplicates(records, header, casefold=True)
    position = {h.casefold(): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in position]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        plural = "s" if len(missing) > 1 else ""
        raise records.fail(f"missing required column{plural} {listed} for the generic layout")
    known = set(REQUIRED) | set(OPTIONAL)
    data, lines = padded(records, len(header), 1)
    wide = Wide("generic", records, data, lines, header, [], {}, {})
    wide.embedded = [
        (i, h) for i, h in enumerate(header) if h.casefold() not in known and not is_personal(h)
    ]
    wide.roles = {"response_id": position["response_id"], "recorded_at": position["recorded_at"]}
    wide.role_names = {"response_id": "response_id", "recorded_at": "recorded_at"}
    for name, role in _ROLES.items():
        if name in position:
            wide.roles[role], wide.role_names[role] = position[name], name

    def text(name: str) -> pd.Series:
        return data[position[name]].fillna("").astype(str).str.strip()

    survey_ids, question_ids = text("survey_id"), text("question_id")
    rejects = []
    for name, values in (("survey_id", survey_ids), ("question_id", question_ids)):
        for i in np.flatnonzero((values == "").to_numpy()):
            rejects.append(reject(int(lines[i]), name, "empty value in a required column", ""))
    usable = (survey_ids != "") & (question_ids != "")
    responses, answers = [], []
    for survey_id in sorted(set(survey_ids[usable])):
        rows = usable & (survey_ids == survey_id)
        part = _subset(wide, rows)
        # One response has several rows: its metadata is read once, from its first row.
        firsts = part.data[wide.roles["response_id"]].fillna("").str.strip().duplicated()
        meta = _subset(part, ~firsts)
        meta_frames, _, meta_rejects = to_frames(
            meta, pd.Series(survey_id, index=meta.data.index), zone_of(survey_id),
            day_first_of(survey_id),
        )  # fmt: skip
        rejects += meta_rejects
        responses.append(meta_frames)
        kept = part.data[wide.roles["response_id"]].str.strip().isin(meta_frames["response_id"])
        answered = kept & (part.data[position["answer"]].fillna("").str.strip() != "")
        picked = part.data[answered]
        qtext = picked[position["question_text"]] if "question_text" in position else None
        answers.append(
            pd.DataFrame(
                {
                    "survey_id": survey_id,
                    "response_id": picked[wide.roles["response_id"]].str.strip().to_numpy(),
                    "question_id": picked[position["question_id"]].str.strip().to_numpy(),
                    "question_text": pd.Series(
                        [None] * len(picked)
                        if qtext is None
                        else [t.strip() or None for t in qtext.fillna("")],
                        dtype=object,
                    ),
                    "answer": picked[position["answer"]].to_numpy(),
                    "source_row": part.lines[answered.to_numpy()],
                }
            )
        )
    empty_answers = pd.DataFrame({c: pd.Series(dtype=object) for c in ANSWER_COLUMNS})
    return (
        pd.concat(responses, ignore_index=True) if responses else None,
        pd.concat(answers, ignore_index=True) if answers else empty_answers,
        rejects,
    )


def _subset(wide: Wide, rows: pd.Series) -> Wide:
    mask = rows.to_numpy()
    return Wide(
        wide.layout, wide.records, wide.data[mask], wide.lines[mask], wide.header,
        wide.questions, wide.roles, wide.role_names, wide.embedded,
    )  # fmt: skip
