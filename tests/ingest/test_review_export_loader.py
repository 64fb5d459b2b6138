"""App-store review exports into raw: one table per store, each file once, bad files named."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.review_export_loader import APP_STORE, GOOGLE_PLAY, load_review_exports
from ingest.reviews import read_review_export


@pytest.fixture
def landing(small_demo, tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    shutil.copytree(small_demo.landing / "reviews", root / "reviews")
    return root


def test_each_store_loads_its_own_files_once(landing: Path, tmp_path: Path) -> None:
    files = {p.suffix: p for p in (landing / "reviews").iterdir()}
    with duckdb.connect() as con:
        play = load_review_exports(con, GOOGLE_PLAY, landing, tmp_path / "archive")
        store = load_review_exports(con, APP_STORE, landing, tmp_path / "archive")
        again = load_review_exports(con, GOOGLE_PLAY, landing, tmp_path / "archive")
        counts = con.execute(
            "select (select count(*) from raw.google_play_reviews), "
            "(select count(*) from raw.app_store_reviews), "
            "(select count(distinct provider) from raw.google_play_reviews)"
        ).fetchall()[0]
    assert play.rows_loaded == len(read_review_export(files[".csv"])) == counts[0] > 0
    assert store.rows_loaded == len(read_review_export(files[".json"])) == counts[1] > 0
    assert counts[2] == 1
    assert again.rows_loaded == 0 and again.files_skipped == [files[".csv"].name]


def test_an_unreadable_export_fails_alone_naming_the_file(landing, tmp_path) -> None:
    (landing / "reviews" / "reviews_broken_202601.csv").write_text("Package Name,Something\n")
    with duckdb.connect() as con:
        report = load_review_exports(con, GOOGLE_PLAY, landing, tmp_path / "archive")
        loaded = con.execute("select count(*) from raw.google_play_reviews").fetchall()[0][0]
    (failed,) = report.files_failed
    assert failed.reason.startswith("reviews_broken_202601.csv: unknown review export layout")
    assert report.files_loaded and loaded == report.rows_loaded > 0
