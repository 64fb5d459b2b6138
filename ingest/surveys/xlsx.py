"""XLSX exports (Qualtrics and SurveyMonkey both offer them): the first sheet as text records.

Read with python-calamine (a maintained Rust reader, fast and without formulas' side effects).
Cells become the text the CSV export would hold: whole numbers without a decimal point (Excel
stores every number as a float, an id too), dates and times as ISO 8601 (no time zone: the
mapping's `timezone` applies), the header rows HTML-unescaped (SurveyMonkey writes `you&apos;d`).
The records then go through the same layouts as a CSV export.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ingest.surveys.cells import Records, SurveyExportError

HEADER_ROWS = 3


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def xlsx_records(path: Path) -> Records:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as err:  # calamine's own errors, a zip or XML that is not a workbook
        raise SurveyExportError(f"{path.name}: cannot be read as an XLSX workbook ({err})") from err
    records = Records(path.name, [], [])
    for number, row in enumerate(rows, start=1):
        cells = [_text(v) for v in row]
        if number <= HEADER_ROWS:
            cells = [html.unescape(c) for c in cells]
        if any(c.strip() for c in cells):
            records.rows.append(cells)
            records.lines.append(number)
    return records
