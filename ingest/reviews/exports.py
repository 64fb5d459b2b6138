"""App-store review exports: the layout of a file is told from its content, then read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from ingest.reviews.app_store import app_store_rows, is_app_store
from ingest.reviews.fields import ReviewExportError, review_frame
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


def read_review_export(path: Path | str, business_unit_id: str | None = None) -> pd.DataFrame:
    """The reviews of a Google Play CSV or an App Store Connect JSON export, normalised.

    The layout is told from the content, not the name. `business_unit_id` is the app for an App
    Store file without a `links.self` naming it; Google Play files name their package.
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
            return review_frame(app_store_rows(path, document, business_unit_id))
        raise ReviewExportError(
            f"{path.name}: unknown review export layout (JSON without an App Store "
            "'data' list of customerReviews)"
        )
    header = next(csv.reader(io.StringIO(text)), [])
    if all(column in header for column in GOOGLE_PLAY_REQUIRED):
        return review_frame(google_play_rows(path, text))
    shown = ", ".join(header[:6]) or "an empty file"
    raise ReviewExportError(
        f"{path.name}: unknown review export layout (expected a Google Play review CSV with "
        f"{list(GOOGLE_PLAY_REQUIRED)} or an App Store Connect JSON; found {shown})"
    )
