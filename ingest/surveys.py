"""Read one survey export (Qualtrics, SurveyMonkey or the generic long CSV) into long answers.

Survey tools export wide files: one row per response, one column per question, with their own
header rows, encodings and time zones. `read_survey_export` detects the layout from the file
itself and returns one row per answered question, with timestamps in UTC, the embedded data as
JSON and the line where each response starts, so later steps can name the row they reject.
Personal data the warehouse has no use for (IP addresses, names, coordinates) stops here.
What the answers mean (which question is NPS, CSAT, ...) is `ingest.survey_mapping`'s job.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

COLUMNS = (
    "survey_id",
    "response_id",
    "recorded_at",
    "question_id",
    "question_text",
    "answer",
    "finished",
    "respondent_email",
    "external_ref",
    "embedded",
    "layout",
    "source_file",
    "source_row",
)

UNKNOWN_LAYOUT = (
    "unknown survey export layout: expected Qualtrics (three header rows with ImportId JSON), "
    "SurveyMonkey (two header rows with Respondent ID) or the generic long CSV"
)

# Columns never carried past the reader, compared without case, spaces or punctuation.
PERSONAL_COLUMNS = frozenset(
    {
        "ipaddress",
        "ip",
        "firstname",
        "lastname",
        "name",
        "fullname",
        "respondentname",
        "recipientfirstname",
        "recipientlastname",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "locationlatitude",
        "locationlongitude",
    }
)

# Qualtrics metadata ImportIds: read (status, finished, ...) or dropped, never embedded data.
QUALTRICS_METADATA = frozenset(
    {
        "startDate",
        "endDate",
        "status",
        "ipAddress",
        "progress",
        "duration",
        "finished",
        "recordedDate",
        "_recordId",
        "recipientLastName",
        "recipientFirstName",
        "recipientEmail",
        "externalDataReference",
        "locationLatitude",
        "locationLongitude",
        "distributionChannel",
        "userLanguage",
    }
)
# Survey previews, tests and spam, as choice text and as numeric codes.
QUALTRICS_EXCLUDED_STATUS_TEXT = frozenset(
    {
        "survey preview",
        "survey test",
        "spam",
        "survey preview spam",
        "imported spam",
        "offline survey preview",
    }
)
QUALTRICS_EXCLUDED_STATUS_CODES = frozenset({1, 2, 8, 9, 12, 17})

SURVEYMONKEY_MARKERS = frozenset(
    {
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    }
)
SURVEYMONKEY_SINGLE_ANSWER = frozenset({"", "Response", "Open-Ended Response"})
SURVEYMONKEY_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)

GENERIC_REQUIRED = ("survey_id", "response_id", "recorded_at", "question_id", "answer")
GENERIC_OPTIONAL = ("question_text", "finished", "respondent_email", "external_ref")

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


class SurveyExportError(ValueError):
    """An export that cannot be read; the message names the file and, where known, row/column."""


@dataclass(frozen=True)
class _Record:
    """One CSV record and the physical line it starts on (1-based)."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class _Export:
    name: str
    stem: str
    records: list[_Record]
    zone: dt.tzinfo

    def fail(
        self, message: str, record: _Record | None = None, column: str | None = None
    ) -> SurveyExportError:
        where = self.name
        if record is not None:
            where += f": row {record.line}"
        if column is not None:
            where += f", column '{column}'"
        return SurveyExportError(f"{where}: {message}")


_Row = tuple  # one output row, in COLUMNS order


def read_survey_export(path: str | Path, timezone: str = "UTC") -> pd.DataFrame:
    """The answers of one export file, long: one row per answered question (see COLUMNS).

    `timezone` is the zone of timestamps the export leaves unqualified: every SurveyMonkey date,
    naive generic `recorded_at` values and Qualtrics columns whose ImportId names no timeZone.
    """
    path = Path(path)
    zone = _zone(timezone, f"{path.name}: timezone argument")
    text = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise SurveyExportError(f"{path.name}: the file is empty")
    export = _Export(path.name, path.stem, _records(text, path.name), zone)
    return _frame(_detect(export)(export))


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (BOM, or little-endian text without one)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    elif len(data) >= 2 and data[1] == 0 and data[0] != 0:
        encoding, body = "utf-16-le", data
    else:
        encoding, body = "utf-8", data
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as err:
        raise SurveyExportError(
            f"{name}: not valid {encoding.upper()} text ({err.reason} at byte {err.start}); "
            "survey exports must be UTF-8 or UTF-16 with a byte-order mark"
        ) from err


def _records(text: str, name: str) -> list[_Record]:
    """Every non-empty CSV record with its starting line; the delimiter comes from line 1."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[_Record] = []
    start = 1
    try:
        for cells in reader:
            if cells:
                records.append(_Record(start, cells))
            start = reader.line_num + 1
    except csv.Error as err:
        raise SurveyExportError(f"{name}: row {start}: cannot be parsed as CSV ({err})") from err
    return records


def _detect(export: _Export) -> Callable[[_Export], list[_Row]]:
    """The reader for the file's layout, judged from its header rows (never from its name)."""
    records = export.records
    if len(records) >= 3 and _is_import_row(records[2].cells):
        return _read_qualtrics
    header = [c.strip() for c in records[0].cells]
    if len(records) >= 2 and len(SURVEYMONKEY_MARKERS.intersection(header)) >= 2:
        return _read_surveymonkey
    if len(set(GENERIC_REQUIRED).intersection(h.casefold() for h in header)) >= 2:
        return _read_generic
    raise SurveyExportError(f"{export.name}: {UNKNOWN_LAYOUT}")


# Qualtrics ---------------------------------------------------------------------------------------


def _is_import_row(cells: list[str]) -> bool:
    """Most non-empty cells of the third row are ImportId JSON objects."""
    filled = [c for c in cells if c.strip()]
    return bool(filled) and 2 * sum(_import_id(c) is not None for c in filled) > len(filled)


def _import_id(cell: str) -> dict | None:
    """A Qualtrics third-row cell such as {"ImportId":"QID1"}, or None."""
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("ImportId"), str):
        return value
    return None


def _read_qualtrics(export: _Export) -> list[_Row]:
    id_row, text_row, import_row = export.records[:3]
    width = len(id_row.cells)
    header = [c.strip() for c in id_row.cells]
    _check_duplicates(export, header)
    texts = _cells(export, text_row, width)
    specs = []
    for column, cell in zip(header, _cells(export, import_row, width), strict=True):
        spec = _import_id(cell)
        if spec is None:
            raise export.fail(
                f'expected an ImportId JSON object such as {{"ImportId":"QID1"}}, got {cell!r}',
                import_row,
                column,
            )
        specs.append(spec)

    metadata: dict[str, int] = {}
    questions: list[tuple[int, str, str | None]] = []
    embedded: list[tuple[int, str]] = []
    survey_column = None
    for index, (column, spec) in enumerate(zip(header, specs, strict=True)):
        import_id = spec["ImportId"]
        if _is_personal(column) or _is_personal(import_id):
            continue
        if import_id.startswith("QID"):
            questions.append((index, column, texts[index].strip() or None))
        elif import_id in QUALTRICS_METADATA:
            metadata[import_id] = index
        elif column.casefold() == "surveyid":
            survey_column = index
        else:
            embedded.append((index, column))

    def required(import_id: str, column: str) -> int:
        if import_id not in metadata:
            raise export.fail(f"missing required column '{column}'")
        return metadata[import_id]

    response_at = required("_recordId", "ResponseId")
    recorded_at = required("recordedDate", "RecordedDate")
    recorded_zone = _qualtrics_zone(export, import_row, specs[recorded_at], header[recorded_at])
    status_at = metadata.get("status")
    finished_at = metadata.get("finished")
    email_at = metadata.get("recipientEmail")
    external_at = metadata.get("externalDataReference")

    rows: list[_Row] = []
    for record in export.records[3:]:
        cells = _cells(export, record, width)
        if not any(c.strip() for c in cells):
            continue
        if status_at is not None and _excluded_status(cells[status_at]):
            continue
        response_id = _required_value(export, record, header[response_at], cells[response_at])
        recorded = _parse_iso(
            export, record, header[recorded_at], cells[recorded_at], recorded_zone
        )
        finished = (
            True
            if finished_at is None
            else _parse_bool(export, record, header[finished_at], cells[finished_at], None)
        )
        survey_id = (cells[survey_column].strip() if survey_column is not None else "") or (
            export.stem
        )
        common = (
            survey_id,
            response_id,
            recorded,
            finished,
            _optional(cells, email_at),
            _optional(cells, external_at),
            _embedded_json({name: cells[i] for i, name in embedded}),
            record.line,
        )
        rows.extend(
            _answer_row(common, question_id, text, cells[index], "qualtrics", export.name)
            for index, question_id, text in questions
        )
    return [row for row in rows if row is not None]


def _qualtrics_zone(export: _Export, import_row: _Record, spec: dict, column: str) -> dt.tzinfo:
    """The zone the ImportId row names for a timestamp column ("Z" = UTC, none = `timezone`)."""
    name = spec.get("timeZone")
    if not name:
        return export.zone
    where = f"{export.name}: row {import_row.line}, column '{column}': timeZone"
    return _zone(str(name), where)


def _excluded_status(value: str) -> bool:
    value = value.strip()
    if value.isdigit():
        return int(value) in QUALTRICS_EXCLUDED_STATUS_CODES
    return value.casefold() in QUALTRICS_EXCLUDED_STATUS_TEXT


# SurveyMonkey ------------------------------------------------------------------------------------


def _read_surveymonkey(export: _Export) -> list[_Row]:
    name_row, option_row = export.records[:2]
    width = max(len(name_row.cells), len(option_row.cells))
    names = [c.strip() for c in _cells(export, name_row, width)]
    options = [c.strip() for c in _cells(export, option_row, width)]
    # Metadata and custom variables lead, with nothing under them in row 2.
    first_question = next((i for i, option in enumerate(options) if option), width)
    _check_duplicates(export, names[:first_question])
    metadata = {name: i for i, name in enumerate(names[:first_question])}
    if "Respondent ID" not in metadata:
        raise export.fail("missing required column 'Respondent ID'")
    if "End Date" not in metadata and "Start Date" not in metadata:
        raise export.fail("missing required column 'End Date'")
    known = {"Respondent ID", "Start Date", "End Date", "Email Address", "Custom Data 1"}
    embedded = [
        (i, "collector_id" if name == "Collector ID" else name)
        for name, i in metadata.items()
        if name not in known and name.casefold() not in ("surveyid", "survey id")
        if not _is_personal(name)
    ]
    survey_column = next(
        (i for name, i in metadata.items() if name.casefold() in ("surveyid", "survey id")), None
    )

    groups: list[list[int]] = []
    for index in range(first_question, width):
        if names[index]:
            groups.append([index])
        elif groups:
            groups[-1].append(index)
        else:
            raise export.fail(
                f"column {index + 1} has an answer option but no question above it", name_row
            )
    questions: list[tuple[int, str, str]] = []
    for number, group in enumerate(groups, start=1):
        text = names[group[0]]
        for k, index in enumerate(group, start=1):
            question_id = f"Q{number}_{k}" if len(group) > 1 else f"Q{number}"
            option = options[index]
            label = text if option in SURVEYMONKEY_SINGLE_ANSWER else f"{text} - {option}"
            questions.append((index, question_id, label))

    rows: list[_Row] = []
    for record in export.records[2:]:
        cells = _cells(export, record, width)
        if not any(c.strip() for c in cells):
            continue
        response_id = _required_value(
            export, record, "Respondent ID", cells[metadata["Respondent ID"]]
        )
        date_column = next(
            (c for c in ("End Date", "Start Date") if c in metadata and cells[metadata[c]].strip()),
            "End Date" if "End Date" in metadata else "Start Date",
        )
        recorded = _parse_surveymonkey_date(
            export, record, date_column, cells[metadata[date_column]]
        )
        survey_id = (cells[survey_column].strip() if survey_column is not None else "") or (
            export.stem
        )
        common = (
            survey_id,
            response_id,
            recorded,
            True,
            _optional(cells, metadata.get("Email Address")),
            _optional(cells, metadata.get("Custom Data 1")),
            _embedded_json({name: cells[i] for i, name in embedded}),
            record.line,
        )
        rows.extend(
            _answer_row(common, question_id, text, cells[index], "surveymonkey", export.name)
            for index, question_id, text in questions
        )
    return [row for row in rows if row is not None]


def _parse_surveymonkey_date(export: _Export, record: _Record, column: str, value: str):
    text = value.strip()
    for fmt in SURVEYMONKEY_DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=export.zone).astimezone(dt.UTC)
    raise export.fail(
        f"cannot parse timestamp {value!r} (expected MM/DD/YYYY hh:mm:ss AM/PM)", record, column
    )


# Generic long CSV --------------------------------------------------------------------------------


def _read_generic(export: _Export) -> list[_Row]:
    header_record = export.records[0]
    header = [c.strip() for c in header_record.cells]
    width = len(header)
    _check_duplicates(export, header, casefold=True)
    position = {h.casefold(): i for i, h in enumerate(header)}
    missing = [c for c in GENERIC_REQUIRED if c not in position]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        plural = "s" if len(missing) > 1 else ""
        raise export.fail(f"missing required column{plural} {listed} for the generic layout")
    known = set(GENERIC_REQUIRED) | set(GENERIC_OPTIONAL)
    embedded = [
        (i, h) for i, h in enumerate(header) if h.casefold() not in known and not _is_personal(h)
    ]

    rows: list[_Row] = []
    for record in export.records[1:]:
        cells = _cells(export, record, width)
        if not any(c.strip() for c in cells):
            continue

        def value(column: str, cells: list[str] = cells) -> str:
            return cells[position[column]] if column in position else ""

        survey_id = _required_value(export, record, "survey_id", value("survey_id"))
        response_id = _required_value(export, record, "response_id", value("response_id"))
        question_id = _required_value(export, record, "question_id", value("question_id"))
        recorded = _parse_iso(export, record, "recorded_at", value("recorded_at"), export.zone)
        finished = _parse_bool(export, record, "finished", value("finished"), True)
        common = (
            survey_id,
            response_id,
            recorded,
            finished,
            value("respondent_email").strip() or None,
            value("external_ref").strip() or None,
            _embedded_json({name: cells[i] for i, name in embedded}),
            record.line,
        )
        text = value("question_text").strip() or None
        rows.append(_answer_row(common, question_id, text, value("answer"), "generic", export.name))
    return [row for row in rows if row is not None]


# Shared helpers ----------------------------------------------------------------------------------


def _answer_row(common: tuple, question_id, question_text, answer: str, layout: str, file: str):
    """One output row, or None when the question was left empty."""
    if not answer.strip():
        return None
    survey_id, response_id, recorded, finished, email, external, embedded, line = common
    return (
        survey_id,
        response_id,
        recorded,
        question_id,
        question_text,
        answer,
        finished,
        email,
        external,
        embedded,
        layout,
        file,
        line,
    )


def _frame(rows: list[_Row]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    data = dict(zip(COLUMNS, columns, strict=True))
    frame = pd.DataFrame(
        {name: pd.Series(list(values), dtype=object) for name, values in data.items()}
    )
    frame["recorded_at"] = pd.to_datetime(
        pd.Series(list(data["recorded_at"]), dtype=object), utc=True
    )
    frame["finished"] = frame["finished"].astype(bool)
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def _cells(export: _Export, record: _Record, width: int) -> list[str]:
    """The record's cells padded to the header width; extra non-empty cells are an error."""
    cells = record.cells
    if len(cells) > width:
        if any(c.strip() for c in cells[width:]):
            raise export.fail(f"{len(cells)} fields but the header has {width}", record)
        return cells[:width]
    return cells + [""] * (width - len(cells))


def _check_duplicates(export: _Export, header: list[str], casefold: bool = False) -> None:
    keys = [h.casefold() if casefold else h for h in header if h]
    duplicates = sorted({h for h in keys if keys.count(h) > 1})
    if duplicates:
        raise export.fail(f"duplicate column(s) in the header: {duplicates}")


def _is_personal(name: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", name.casefold()) in PERSONAL_COLUMNS


def _required_value(export: _Export, record: _Record, column: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise export.fail("empty value in a required column", record, column)
    return value


def _optional(cells: list[str], index: int | None) -> str | None:
    if index is None:
        return None
    return cells[index].strip() or None


def _embedded_json(values: dict[str, str]) -> str:
    kept = {k: v.strip() for k, v in values.items() if v.strip()}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False)


def _parse_bool(export: _Export, record: _Record, column: str, value: str, default: bool | None):
    text = value.strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if not text and default is not None:
        return default
    raise export.fail(f"expected true/false or 1/0, got {value!r}", record, column)


def _parse_iso(export: _Export, record: _Record, column: str, value: str, zone: dt.tzinfo):
    """An ISO 8601 timestamp in UTC; a naive one is read in `zone`."""
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise export.fail(
            f"cannot parse timestamp {value!r} (expected ISO 8601, e.g. 2025-03-04 10:15:00)",
            record,
            column,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


def _zone(name: str, where: str) -> dt.tzinfo:
    """An IANA zone name, "Z"/"UTC", or a fixed offset such as -07:00."""
    if name in ("Z", "UTC"):
        return dt.UTC
    offset = _OFFSET.match(name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3))
        return dt.timezone(sign * dt.timedelta(minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise SurveyExportError(f"{where}: unknown time zone {name!r}") from err
