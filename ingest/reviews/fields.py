"""The fields every review source is normalised to, and the parsers of single values.

Every source lands one shape (`REVIEW_FIELDS`) whatever it is; what has no field of its own goes,
as JSON, to `extra`, so nothing is lost, except personal data we do not want (reviewers' names
and nicknames).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from ingest.timestamps import parse_timestamp

REVIEW_FIELDS = (
    "provider",
    "business_unit_id",
    "review_id",
    "stars",
    "title",
    "text",
    "language",
    "created_at",
    "updated_at",
    "experienced_at",
    "consumer_id",
    "is_verified",
    "company_reply_text",
    "company_reply_at",
    "reference_id",
    "tags",
    "extra",
)
TIMESTAMP_FIELDS = ("created_at", "updated_at", "experienced_at", "company_reply_at")


class ReviewExportError(ValueError):
    """An export file that cannot be read; the message names the file (and the row)."""


class FieldError(ValueError):
    """One field of one review that cannot be accepted: the review is rejected, not its file."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(f"field {field}: {message}")
        self.field, self.value = field, value


REJECT_COLUMNS = ["line_number", "field", "reason", "value", "raw_text"]


def reject_row(position: int, err: ValueError, raw: Any) -> dict[str, Any]:
    """A rejected review: where it was (row or position), the field, its value and why."""
    field = getattr(err, "field", None)
    value = getattr(err, "value", None)
    return {
        "line_number": position,
        "field": field,
        "reason": str(err),
        "value": None if value is None else str(value),
        "raw_text": raw if isinstance(raw, str) else json_text(raw),
    }


def as_utc(value: Any) -> dt.datetime | None:
    """A UTC-aware datetime from a datetime, pandas Timestamp or ISO 8601 text; naive is UTC."""
    if value is None or pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = parse_timestamp(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def json_text(value: Any) -> str:
    """`value` as canonical JSON text (sorted keys, non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def parse_field_timestamp(value: Any, name: str) -> dt.datetime | None:
    """A timestamp in UTC (the shared parser's styles), or FieldError naming the field."""
    try:
        return as_utc(value)
    except (TypeError, ValueError) as err:
        raise FieldError(name, value, f"not a timestamp: {value!r}") from err


def parse_text(value: Any, name: str) -> str | None:
    """Text (a whole number becomes text), or ValueError naming the field."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FieldError(name, value, f"expected text, got {type(value).__name__} {value!r}")


def parse_stars(value: Any, name: str) -> int:
    """A whole number of stars 1-5, or ValueError naming the field."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise FieldError(name, value, f"expected a whole number of stars 1-5, got {value!r}")
    return value


def review_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of normalised reviews with the column types the readers promise."""
    frame = pd.DataFrame(rows, columns=list(REVIEW_FIELDS))
    for column in TIMESTAMP_FIELDS:
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    frame["stars"] = frame["stars"].astype("int64")
    frame["is_verified"] = frame["is_verified"].astype("bool")
    return frame
