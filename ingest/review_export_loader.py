"""Load app-store review exports dropped in `$ROX_LANDING_DIR/reviews/` into raw.

One raw table per store (`raw.google_play_reviews`, `raw.app_store_reviews`), the normalised
review fields plus the file each row came from. Each file loads once (by SHA-256); a file that
cannot be read fails with its name and row, and nothing of it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.csv_loader import FileLoad, LoadReport
from ingest.landing import archive_file, file_sha256, landed_files
from ingest.load_log import (
    RAW_SCHEMA,
    already_loaded,
    ensure_bookkeeping_tables,
    now_utc,
    record_load,
)
from ingest.review_sync import REVIEW_COLUMNS
from ingest.reviews import TIMESTAMP_FIELDS, read_review_export

FOLDER = "reviews"


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
APP_STORE = ReviewExportSource("app_store", "*.json")
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


def load_review_exports(
    con: duckdb.DuckDBPyConnection,
    source: ReviewExportSource,
    landing_root: Path,
    archive_root: Path,
) -> LoadReport:
    """Load the new export files of one store; other stores' files in the folder are left alone."""
    ensure_bookkeeping_tables(con)
    ensure_table(con, source)
    report = LoadReport(source.name)
    for path in landed_files(landing_root, FOLDER, source.pattern):
        sha256 = file_sha256(path)
        if already_loaded(con, source.name, sha256):
            report.files.append(FileLoad(path.name, sha256, 0, 0, skipped=True))
            continue
        archived = archive_file(path, archive_root, source.name, sha256)
        frame = read_review_export(archived)
        providers = set(frame["provider"])
        if providers - {source.provider}:
            continue  # another store's file matching the pattern
        loaded_at = now_utc()
        rows = _rows(frame).assign(
            _source_file=path.name, _file_sha256=sha256, _loaded_at=loaded_at
        )
        con.register("rox_review_frame", rows)
        con.begin()
        try:
            con.execute(f"insert into {source.table} by name select * from rox_review_frame")
            record_load(con, source.name, path.name, sha256, archived, len(rows), 0, loaded_at)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("rox_review_frame")
        report.files.append(FileLoad(path.name, sha256, len(rows), 0, skipped=False))
    return report
