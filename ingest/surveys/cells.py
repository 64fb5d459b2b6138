"""What every survey layout shares: decoding, CSV records with their lines, cell helpers.

Survey tools export CSV or TSV in UTF-8 (with or without a byte-order mark) or UTF-16. Records
keep the physical line they start on, so every reject names its row. A line with a stray quote
(one that would swallow the rows after it) is rejected on its own (`ingest.csv_records`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.csv_records import scan_records

REJECT_COLUMNS = ["line_number", "field", "reason", "value", "raw_text"]

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
        "locationaccuracy",
    }
)
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
# Excel writes a long number in General format as 1.18233E+11: the id's digits are lost.
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")


class SurveyExportError(ValueError):
    """An export that cannot be read at all; the message names the file and what was found."""


@dataclass
class Records:
    """A file's records (lists of cells) and the physical line each starts on (1-based)."""

    name: str
    rows: list[list[str]]
    lines: list[int]
    rejects: list[dict] = field(default_factory=list)  # lines rejected while splitting records

    def fail(self, message: str, line: int | None = None, column: str | None = None):
        where = self.name
        if line is not None:
            where += f": row {line}"
        if column is not None:
            where += f", column '{column}'"
        return SurveyExportError(f"{where}: {message}")


def decode(data: bytes, name: str) -> str:
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
        line = body[: err.start].count(b"\n") + 1 if encoding == "utf-8" else None
        where = f" on line {line}" if line else ""
        raise SurveyExportError(
            f"{name}: not valid {encoding.upper()} text{where} ({err.reason} at byte "
            f"{err.start}); survey exports must be UTF-8 or UTF-16 with a byte-order mark"
        ) from err


def csv_records(text: str, name: str) -> Records:
    """Every non-empty record with its starting line; the delimiter comes from line 1."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    data = text.encode("utf-8")
    width = len(next(csv.reader([first_line], delimiter=delimiter), []))
    scan = scan_records(data, delimiter, None if width < 2 else width)
    rejects = []
    if scan.stray_lines:
        lines = text.split("\n")
        for number in scan.stray_lines:
            rejects.append(_stray(number, lines[number - 1]))
            lines[number - 1] = ""  # blank: skipped, and the line numbers after it stay true
        text = "\n".join(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, starts, start = [], [], 1
    try:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                rows.append(cells)
                starts.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise SurveyExportError(f"{name}: row {start}: cannot be parsed as CSV ({err})") from err
    return Records(name, rows, starts, rejects)


def _stray(line: int, text: str) -> dict:
    return {
        "line_number": line,
        "field": None,
        "reason": "unbalanced quote: a quote opens a field that never closes; the line is "
        "rejected, the rows after it load",
        "value": None,
        "raw_text": text.rstrip("\r"),
    }


def padded(records: Records, width: int, first: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The records from index `first` as a frame of `width` text columns, and their lines.

    A record with non-empty cells past the width is rejected (returned in records.rejects).
    """
    rows, lines = [], []
    for cells, line in zip(records.rows[first:], records.lines[first:], strict=True):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            records.rejects.append(
                reject(line, None, f"{len(cells)} fields but the header has {width}", None)
            )
            continue
        rows.append(cells[:width] + [""] * (width - len(cells)))
        lines.append(line)
    frame = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else None
    if frame is None:
        frame = pd.DataFrame({i: pd.Series(dtype=object) for i in range(width)})
    return frame, np.array(lines, dtype="int64")


def reject(line, column, reason, value) -> dict:
    return {"line_number": line, "field": column, "reason": reason, "value": value}


def rejects_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REJECT_COLUMNS)
    return frame.astype({"line_number": "int64"}) if not frame.empty else frame


def is_personal(name: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", name.casefold()) in PERSONAL_COLUMNS


def check_duplicates(records: Records, header: list[str], casefold: bool = False) -> None:
    keys = [h.casefold() if casefold else h for h in header if h]
    duplicates = sorted({h for h in keys if keys.count(h) > 1})
    if duplicates:
        raise records.fail(f"duplicate column(s) in the header: {duplicates}")


def booleans(values: pd.Series, default: bool | None) -> tuple[pd.Series, pd.Series]:
    """(flags, bad) of a column of true/false, 1/0, yes/no texts; empty is `default`."""
    text = values.fillna("").astype(str).str.strip().str.casefold()
    flags = pd.Series(np.where(text.isin(_TRUE), True, False), index=values.index)
    known = text.isin(_TRUE | _FALSE) | ((text == "") & (default is not None))
    flags = flags.where(text != "", bool(default))
    return flags.astype(bool), ~known


def excel_scientific(values: pd.Series) -> pd.Series:
    """Ids that Excel turned into scientific notation (their digits are gone)."""
    return values.fillna("").astype(str).str.strip().str.match(_SCIENTIFIC)


def embedded_json(frame: pd.DataFrame, columns: list[tuple[int, str]]) -> pd.Series:
    """The embedded-data columns of each response as canonical JSON (empty values left out)."""
    if not columns:
        return pd.Series("{}", index=frame.index, dtype=object)
    names = [name for _, name in columns]
    values = frame[[index for index, _ in columns]].fillna("").astype(str)
    values.columns = names
    values = values.apply(lambda column: column.str.strip())
    order = sorted(range(len(names)), key=lambda i: names[i])
    return pd.Series(
        [
            json.dumps(
                {names[i]: row[i] for i in order if row[i]}, sort_keys=True, ensure_ascii=False
            )
            for row in values.itertuples(index=False, name=None)
        ],
        index=frame.index,
        dtype=object,
    )
