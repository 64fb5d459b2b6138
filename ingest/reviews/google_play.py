"""Google Play review exports (the Play Console's CSV, often UTF-16): one review per row.

The exports carry no review id: we derive one (`google_play_review_id`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

from ingest.reviews.fields import (
    FieldError,
    json_text,
    parse_field_timestamp,
    parse_stars,
    reject_row,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

GOOGLE_PLAY_COLUMNS = (
    "Package Name",
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    "Review Submit Date and Time",
    "Review Submit Millis Since Epoch",
    "Review Last Update Date and Time",
    "Review Last Update Millis Since Epoch",
    "Star Rating",
    "Review Title",
    "Review Text",
    "Developer Reply Date and Time",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
)
GOOGLE_PLAY_REQUIRED = ("Package Name", "Review Submit Millis Since Epoch", "Star Rating")
# Columns with a field of their own; the others (device, app version, link) go to `extra`.
_GOOGLE_PLAY_MAPPED = frozenset(GOOGLE_PLAY_COLUMNS) - {
    "App Version Code",
    "App Version Name",
    "Device",
    "Review Link",
}


def _millis(value: str | None, text: str | None, name: str) -> dt.datetime | None:
    """Google Play's epoch milliseconds, else its date-and-time text, else None."""
    if value and value.strip():
        try:
            return _EPOCH + dt.timedelta(milliseconds=int(value.strip()))
        except ValueError as err:
            raise FieldError(name, value, f"not epoch milliseconds: {value!r}") from err
    return parse_field_timestamp(text, name.replace("Millis Since Epoch", "Date and Time"))


def epoch_millis(value: dt.datetime) -> int:
    """Whole milliseconds since the Unix epoch of a UTC-aware datetime."""
    return (value - _EPOCH) // dt.timedelta(milliseconds=1)


def google_play_review_id(
    package: str, submit_millis: int, link: str | None, text: str | None
) -> str:
    """The id we give a Google Play review (the exports have none).

    sha256 of package, submit time in epoch milliseconds and the review link (or, without a
    link, the review text), joined by U+001F. With a link it is stable across edits.
    """
    key = "\x1f".join([package, str(submit_millis), link or text or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def google_play_rows(path: Path, text: str) -> tuple[list[dict[str, Any]], list[dict], int]:
    """(reviews, rejects, records): a row that fails validation is rejected with its line,
    field, value and reason; the other rows load."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows, rejects, records, start = [], [], 0, 2
    for row in reader:
        records += 1
        line, start = start, reader.line_num + 1
        raw = ",".join(v or "" for k, v in row.items() if k is not None)
        if None in row:
            error = FieldError(None, ",".join(row[None]), "more fields than the header has columns")
            rejects.append(reject_row(line, error, raw))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        try:
            rows.append(_google_play_review(values))
        except ValueError as err:
            rejects.append(reject_row(line, err, raw))
    return rows, rejects, records


def _google_play_review(values: dict[str, str]) -> dict[str, Any]:
    package = values["Package Name"]
    if not package:
        raise FieldError("Package Name", "", "empty")
    created_at = _millis(
        values.get("Review Submit Millis Since Epoch"),
        values.get("Review Submit Date and Time"),
        "Review Submit Millis Since Epoch",
    )
    if created_at is None:
        raise FieldError("Review Submit Millis Since Epoch", "", "empty")
    title = values.get("Review Title") or None
    text = values.get("Review Text") or None
    link = values.get("Review Link") or None
    extra = {k: v for k, v in values.items() if k not in _GOOGLE_PLAY_MAPPED and v}
    return {
        "provider": "google_play",
        "business_unit_id": package,
        "review_id": google_play_review_id(package, epoch_millis(created_at), link, text),
        "stars": parse_stars(values["Star Rating"], "Star Rating"),
        "title": title,
        "text": text,
        "language": values.get("Reviewer Language") or None,
        "created_at": created_at,
        "updated_at": _millis(
            values.get("Review Last Update Millis Since Epoch"),
            values.get("Review Last Update Date and Time"),
            "Review Last Update Millis Since Epoch",
        ),
        "experienced_at": None,
        "consumer_id": None,
        "is_verified": False,
        "company_reply_text": values.get("Developer Reply Text") or None,
        "company_reply_at": _millis(
            values.get("Developer Reply Millis Since Epoch"),
            values.get("Developer Reply Date and Time"),
            "Developer Reply Millis Since Epoch",
        ),
        "reference_id": None,
        "tags": [],
        "extra": json_text(extra),
    }
