"""App Store Connect responses of both customerReviews endpoints, and a saved partial page
(tests/fixtures/vendor/MANIFEST.md, files 14-16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.review_export_loader import APP_STORE, load_review_exports
from ingest.reviews.app_store import app_id_for, parse_app_ids
from ingest.reviews.exports import read_review_file
from ingest.reviews.fields import ReviewExportError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "vendor" / "app_store"
APPS = FIXTURES / "apps_1502839486_customerReviews.json"
VERSIONS = FIXTURES / "appStoreVersions_a3e1c9d2-5b7f-4e08-8c4a-6d2f1b9e0c57_customerReviews.json"
PARTIAL = FIXTURES / "apps_1502839486_customerReviews_page1_partial.json"


def test_the_apps_endpoint_names_its_app() -> None:
    read = read_review_file(APPS)
    reviews = read.reviews
    assert list(reviews["stars"]) == [5, 1, 4, 3, 2] and read.rejects.empty
    assert set(reviews["business_unit_id"]) == {"1502839486"}
    assert list(reviews["created_at"]) == [
        pd.Timestamp(t, tz="UTC")
        for t in ("2023-05-14 15:17:31", "2023-05-14 05:41:05", "2023-05-12 10:05:59",
                  "2023-05-11 02:20:44", "2023-05-09 18:00:02")
    ]  # fmt: skip
    assert reviews["company_reply_text"].notna().sum() == 2
    assert "reviewerNickname" not in reviews.to_csv()
    assert read.notes == {"reviews_in_file": 5, "paging_total": 5, "partial": False}


def test_the_versions_endpoint_takes_the_app_from_the_settings() -> None:
    with pytest.raises(ReviewExportError, match="names app store version a3e1c9d2.*APP_IDS"):
        read_review_file(VERSIONS)
    app = app_id_for(VERSIONS.name, parse_app_ids("appStoreVersions_*=1502839486"))
    reviews = read_review_file(VERSIONS, business_unit_id=app).reviews
    assert list(reviews["stars"]) == [5, 2, 4]
    assert set(reviews["business_unit_id"]) == {"1502839486"}
    assert pd.Timestamp("2023-06-01 06:59:59", tz="UTC") in set(reviews["created_at"])


def test_app_ids_by_folder_or_file_name_pattern() -> None:
    pairs = parse_app_ids("ios/*=111, appStoreVersions_*=222")
    assert app_id_for("ios/export.json", pairs) == "111"
    assert app_id_for("appStoreVersions_x_customerReviews.json", pairs) == "222"
    assert app_id_for("other.json", pairs) is None
    with pytest.raises(ValueError, match="expected pattern=app_id"):
        parse_app_ids("ios/*")


def test_a_saved_first_page_loads_and_is_flagged_partial(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "reviews" / "ios"
    folder.mkdir(parents=True)
    shutil.copy(PARTIAL, folder / PARTIAL.name)
    shutil.copy(VERSIONS, folder / VERSIONS.name)
    with duckdb.connect() as con:
        report = load_review_exports(
            con, APP_STORE, tmp_path / "landing", tmp_path / "archive", app_ids="ios/*=1502839486"
        )
        stored = con.execute("select count(*) from raw.app_store_reviews").fetchall()[0][0]
    notes = {f.file_name: f.notes for f in report.files}
    assert notes[PARTIAL.name] == {"reviews_in_file": 3, "paging_total": 5, "partial": True}
    assert notes[VERSIONS.name]["partial"] is False
    assert report.files_failed == [] and stored == 3 + 3
