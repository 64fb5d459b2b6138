"""Qualtrics exports: every header layout Qualtrics has written, numeric or choice text.

- Current (2017 on): three header rows: column ids, question texts, ImportId JSON
  (`{"ImportId":"QID1"}`, `{"ImportId":"recordedDate","timeZone":"America/Denver"}`).
- "Insights" (2016): three header rows, the third as Python-style dicts with single quotes
  (`{'ImportId': 'responseId'}`), no RecordedDate (EndDate is when it was recorded).
- Legacy (before 2017): two header rows, `V1`..`V10` over ResponseID, ResponseSet, Name,
  ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate, Finished, then the
  questions; often a trailing comma on every line.
- Excel downloads and files whose ImportId row was removed: two rows, ids and texts.

Previews, tests and spam (Status 1, 2, 8, 9, 12, 17 or their texts) are dropped. Empty columns
that Excel appends are ignored.
"""

from __future__ import annotations

import ast
import json
import re

import pandas as pd

from ingest.surveys.cells import Records, check_duplicates, is_personal, padded
from ingest.surveys.wide import Wide, column
from ingest.timestamps import TimestampError, zone

EXCLUDED_STATUS_TEXT = frozenset(
    {
        "survey preview",
        "survey test",
        "spam",
        "survey preview spam",
        "imported spam",
        "offline survey preview",
    }
)
EXCLUDED_STATUS_CODES = frozenset({"1", "2", "8", "9", "12", "17"})

# ImportId (current, Insights) or column id (two-row layouts) -> role; None: metadata we drop.
_METADATA = {
    "_recordId": "response_id",
    "responseId": "response_id",
    "ResponseId": "response_id",
    "ResponseID": "response_id",
    "recordedDate": "recorded_at",
    "RecordedDate": "recorded_at",
    "endDate": "end_date",
    "EndDate": "end_date",
    "finished": "finished",
    "Finished": "finished",
    "status": "status",
    "Status": "status",
    "recipientEmail": "email",
    "panel-RecipientEmail": "email",
    "RecipientEmail": "email",
    "EmailAddress": "email",
    "externalDataReference": "external_ref",
    "panel-ExternalDataReference": "external_ref",
    "ExternalReference": "external_ref",
    "ExternalDataReference": "external_ref",
}
_DROPPED = frozenset(
    {
        "startDate",
        "StartDate",
        "ipAddress",
        "IPAddress",
        "progress",
        "Progress",
        "duration",
        "Duration (in seconds)",
        "distributionChannel",
        "DistributionChannel",
        "userLanguage",
        "UserLanguage",
        "responseSetId",
        "ResponseSet",
        "recipientLastName",
        "recipientFirstName",
        "RecipientLastName",
        "RecipientFirstName",
        "Name",
        "locationLatitude",
        "locationLongitude",
    }
)
_QUESTION = re.compile(r"^(QID|Q)\d")
_V_COLUMN = re.compile(r"^V\d+$")


def import_id(cell: str) -> dict | None:
    """A third-row cell such as {"ImportId":"QID1"} or {'ImportId': 'QID1'}, else None."""
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        try:
            value = ast.literal_eval(cell)
        except (ValueError, SyntaxError):
            return None
    if isinstance(value, dict) and isinstance(value.get("ImportId"), str):
        return value
    return None


def has_import_row(records: Records) -> bool:
    if len(records.rows) < 3:
        return False
    filled = [c for c in records.rows[2] if c.strip()]
    return bool(filled) and 2 * sum(import_id(c) is not None for c in filled) > len(filled)


def is_legacy(records: Records) -> bool:
    ids = [c.strip() for c in records.rows[0]]
    return len(records.rows) >= 2 and ids[:2] == ["V1", "V2"] and "ResponseID" in records.rows[1]


def is_two_row(records: Records) -> bool:
    ids = {c.strip() for c in records.rows[0]}
    return (
        len(records.rows) >= 2 and "ResponseId" in ids and bool(ids & {"RecordedDate", "EndDate"})
    )


def read_qualtrics(records: Records) -> Wide:
    """The Wide description of any Qualtrics layout (detected from the header rows)."""
    if has_import_row(records):
        specs_row, first_data = records.rows[2], 3
        insights = any(import_id(c) and c.strip().startswith("{'") for c in specs_row)
        layout = "qualtrics_insights" if insights else "qualtrics"
    elif is_legacy(records):
        return _legacy(records)
    else:
        specs_row, first_data, layout = None, 2, "qualtrics_two_row"
    ids = [c.strip() for c in records.rows[0]]
    texts = [c.strip() for c in records.rows[1]]
    width = len(ids)
    specs: list[dict | None] = []
    for index, name in enumerate(ids):
        cell = specs_row[index] if specs_row is not None and index < len(specs_row) else ""
        spec = import_id(cell) if specs_row is not None else {"ImportId": name}
        if spec is None and (name or cell.strip()):
            raise records.fail(
                f'expected an ImportId such as {{"ImportId":"QID1"}}, got {cell!r}', 3, name
            )
        specs.append(spec)
    check_duplicates(records, ids)
    data, lines = padded(records, width, first_data)
    wide = Wide(layout, records, data, lines, ids, [], {}, {})
    for index, (name, spec) in enumerate(zip(ids, specs, strict=True)):
        if spec is None:  # the empty column Excel appends
            _check_empty(records, data, index)
            continue
        _classify(wide, index, name, spec["ImportId"], texts[index] if index < len(texts) else "")
        role = _METADATA.get(spec["ImportId"]) or _METADATA.get(name)
        if role in ("recorded_at", "end_date") and spec.get("timeZone"):
            try:
                wide.zones[role] = zone(str(spec["timeZone"]))
            except TimestampError as err:
                raise records.fail(f"timeZone: {err}", 3, name) from err
    _finish(wide)
    return wide


def _legacy(records: Records) -> Wide:
    ids = [c.strip() for c in records.rows[0]]
    names = [c.strip() for c in records.rows[1]]
    width = len(ids)
    check_duplicates(records, [i for i in ids if i])
    data, lines = padded(records, width, 2)
    wide = Wide("qualtrics_legacy", records, data, lines, ids, [], {}, {})
    for index, column_id in enumerate(ids):
        if not column_id:
            _check_empty(records, data, index)
            continue
        name = names[index] if index < len(names) else ""
        if _V_COLUMN.match(column_id):
            _classify(wide, index, name, name, name)
        else:
            _classify(wide, index, column_id, column_id, name)
    _finish(wide)
    return wide


def _classify(wide: Wide, index: int, name: str, spec: str, text: str) -> None:
    if is_personal(name) or is_personal(spec.split("-")[-1]) or spec.startswith("Location-"):
        return
    role = _METADATA.get(spec) or _METADATA.get(name)
    if role is not None:
        wide.roles.setdefault(role, index)
        wide.role_names.setdefault(role, name)
    elif name.casefold() in ("surveyid", "survey id"):
        wide.roles["survey_id"], wide.role_names["survey_id"] = index, name
    elif spec in _DROPPED or name in _DROPPED:
        return
    elif _QUESTION.match(spec):
        wide.questions.append((index, name, text or None))
    else:
        wide.embedded.append((index, name))


def _finish(wide: Wide) -> None:
    if "response_id" not in wide.roles:
        raise wide.records.fail("missing required column 'ResponseId'")
    if "recorded_at" not in wide.roles:
        if "end_date" not in wide.roles:
            raise wide.records.fail("missing required column 'RecordedDate' (or 'EndDate')")
        wide.roles["recorded_at"] = wide.roles["end_date"]
        wide.role_names["recorded_at"] = wide.role_names["end_date"]
        if "end_date" in wide.zones:
            wide.zones["recorded_at"] = wide.zones["end_date"]
    status = column(wide, "status")
    if status is not None:
        wide.excluded = status.isin(EXCLUDED_STATUS_CODES) | status.str.casefold().isin(
            EXCLUDED_STATUS_TEXT
        )


def _check_empty(records: Records, data: pd.DataFrame, index: int) -> None:
    values = data[index].fillna("").astype(str).str.strip()
    if (values != "").any():
        raise records.fail(f"column {index + 1} has values but no name in the header rows")
