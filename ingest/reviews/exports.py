"""App-store review exports: the layout of a file is told from its content, then read."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.reviews.app_store import app_store_rows, is_app_store, paging
from ingest.reviews.fields import REJECT_COLUMNS, ReviewExportError, review_frame
from ingest.reviews.google_play import GOOGLE_PLAY_REQUIRED, google_play_rows


def _decode_export(path: Path) -> str:
    data = path.read_bytes()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ReviewExportError(
            f"{path.name}: unknown review export layout (neither UTF-16 nor UTF-8 text: "
            f"{err.reason})"
        ) from err


@dataclass(frozen=True)
class ReviewFile:
    """One export read: its reviews, the rows rejected, its record count and what else is known
    (an App Store page saved before the last: `partial`, `reviews_in_file`, `paging_total`)."""

    reviews: pd.DataFrame
    rejects: pd.DataFrame  # line_number (row or position), field, reason, value, raw_text
    records: int
    notes: dict


def read_review_export(path: Path | str, business_unit_id: str | None = None) -> pd.DataFrame:
    """The valid reviews of an export (see `read_review_file`, which also gives the rejects)."""
    return read_review_file(path, business_unit_id).reviews


def read_review_file(path: Path | str, business_unit_id: str | None = None) -> ReviewFile:
    """The reviews of a Google Play CSV or an App Store Connect JSON export, normalised.

    The layout is told from the content, not the name. `business_unit_id` is the app for an App
    Store file without a `links.self` naming it; Google Play files name their package. A review
    that fails validation is rejected (its row or position, field, value, reason); the others
    are read.
    """
    path = Path(path)
    text = _decode_export(path)
    start = text.lstrip()[:1]
    if start in ("{", "["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            raise ReviewExportError(
                f"{path.name}: not valid JSON ({err.msg} at line {err.lineno})"
            ) from err
        if is_app_store(document):
            rows, rejects = app_store_rows(path, document, business_unit_id)
            return _with(review_frame(rows), rejects, len(document["data"]), paging(document))
        raise ReviewExportError(
            f"{path.name}: unknown review export layout (JSON without an App Store "
            "'data' list of customerReviews)"
        )
    header = next(csv.reader(io.StringIO(text)), [])
    if all(column in header for column in GOOGLE_PLAY_REQUIRED):
        rows, rejects, records = google_play_rows(path, text)
        return _with(review_frame(rows), rejects, records, {})
    shown = ", ".join(header[:6]) or "an empty file"
    raise ReviewExportError(
        f"{path.name}: unknown review export layout (expected a Google Play review CSV with "
        f"{list(GOOGLE_PLAY_REQUIRED)} or an App Store Connect JSON; found {shown})"
    )


def _with(frame: pd.DataFrame, rejects: list[dict], records: int, notes: dict) -> ReviewFile:
    return ReviewFile(frame, pd.DataFrame(rejects, columns=REJECT_COLUMNS), records, notes)
