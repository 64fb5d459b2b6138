"""Load app-store review exports dropped in `$ROX_LANDING_DIR/reviews/` into raw.

One raw table per store (`raw.google_play_reviews`, `raw.app_store_reviews`), the normalised
review fields plus the file each row came from. Each file loads once (by SHA-256) and alone
(`ingest.file_loads`): a review that fails validation goes to `raw.rejected_rows` (line or
position, field, value, reason) and the rest of the file loads; a file that cannot be read at all
fails on its own, logged. An App Store page saved before the listing's last page loads and is
reported partial. App Store files may sit in sub-folders; `ROX_APP_STORE_APP_IDS` names the app
of files that do not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.file_loads import FileLoad, LoadReport, check_rejected_share, load_landed_files
from ingest.landing import landed_files
from ingest.load_log import (
    RAW_SCHEMA,
    ensure_bookkeeping_tables,
    now_utc,
    record_load,
    record_rejects,
)
from ingest.review_sync import REVIEW_COLUMNS
from ingest.reviews import TIMESTAMP_FIELDS
from ingest.reviews.app_store import app_id_for, parse_app_ids
from ingest.reviews.exports import read_review_file

FOLDER = "reviews"
APP_IDS_SETTING = "ROX_APP_STORE_APP_IDS"


@dataclass(frozen=True)
class ReviewExportSource:
    provider: str  # as read_review_export names it
    pattern: str

    @property
    def name(self) -> str:
        return f"{self.provider}_reviews"

    @property
    def table(self) -> str:
        return f"{RAW_SCHEMA}.{self.name}"


GOOGLE_PLAY = ReviewExportSource("google_play", "reviews_*.csv")
APP_STORE = ReviewExportSource("app_store", "**/*.json")
REVIEW_EXPORT_SOURCES = (GOOGLE_PLAY, APP_STORE)

_COLUMNS = [(n, t) for n, t in REVIEW_COLUMNS if n not in ("page_url", "fetched_at")]


def ensure_table(con: duckdb.DuckDBPyConnection, source: ReviewExportSource) -> None:
    columns = ",\n".join(f"{n} {t}" for n, t in _COLUMNS)
    con.execute(
        f"create table if not exists {source.table} (\n{columns},\n"
        "_source_file varchar, _file_sha256 varchar, _loaded_at timestamp\n)"
    )


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as raw rows: naive UTC timestamps, tags as JSON text."""
    out = frame[[n for n, _ in _COLUMNS]].copy()
    for column in TIMESTAMP_FIELDS:
        out[column] = pd.to_datetime(out[column], utc=True).dt.tz_localize(None)
    out["tags"] = out["tags"].map(
        lambda t: pd.Series(t if t is not None else []).to_json(orient="values")
    )
    return out


def _load_file(con, source, landing_root, path, archived, sha256, app_ids) -> FileLoad:
    relative = path.relative_to((landing_root / FOLDER).resolve()).as_posix()
    read = read_review_file(archived, business_unit_id=app_id_for(relative, app_ids))
    frame, rejects, notes = read.reviews, read.rejects, dict(read.notes)
    if set(frame["provider"]) - {source.provider}:
        return FileLoad(path.name, sha256, 0, 0, status="skipped")  # another store's file
    check_rejected_share(
        path.name,
        read.records,
        [f"row {r.line_number}, field {r.field}: {r.reason}" for r in rejects.itertuples()],
    )
    loaded_at = now_utc()
    rows = _rows(frame).assign(_source_file=path.name, _file_sha256=sha256, _loaded_at=loaded_at)
    con.register("rox_review_frame", rows)
    con.begin()
    try:
        con.execute(f"insert into {source.table} by name select * from rox_review_frame")
        record_rejects(con, source.name, path.name, sha256, rejects, loaded_at)
        record_load(
            con, source.name, path.name, sha256, archived, len(rows), len(rejects), loaded_at,
            records_in_file=read.records,
        )  # fmt: skip
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("rox_review_frame")
    return FileLoad(path.name, sha256, len(rows), len(rejects), notes=notes)


def load_review_exports(
    con: duckdb.DuckDBPyConnection,
    source: ReviewExportSource,
    landing_root: Path,
    archive_root: Path,
    app_ids: str | None = None,
) -> LoadReport:
    """Load the new export files of one store; other stores' files in the folder are left alone.

    `app_ids` (default: the `ROX_APP_STORE_APP_IDS` setting) names the app of App Store files
    that do not name it: comma-separated `pattern=app_id`.
    """
    ensure_bookkeeping_tables(con)
    ensure_table(con, source)
    pairs = parse_app_ids(os.environ.get(APP_IDS_SETTING) if app_ids is None else app_ids)
    return load_landed_files(
        con,
        source.name,
        landed_files(landing_root, FOLDER, source.pattern),
        archive_root,
        lambda path, archived, sha256: _load_file(
            con, source, landing_root, path, archived, sha256, pairs
        ),
    )
