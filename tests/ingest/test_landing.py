"""No loader reads a file outside the landing folder: links and crafted folders are refused."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from common.settings import REPO_ROOT
from ingest.crm import CRM_SOURCES, MARKETING_SPEND
from ingest.csv_loader import CsvSource, load_csv_source
from ingest.landing import LandingError
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES, load_review_exports
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping


def test_no_loader_follows_a_file_out_of_the_landing_folder(small_demo, tmp_path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(small_demo.landing / "crm", landing / "crm")
    shutil.copytree(small_demo.landing / "surveys", landing / "surveys")
    shutil.copytree(small_demo.landing / "reviews", landing / "reviews")
    secret = tmp_path / "secret.csv"
    secret.write_text("month,channel,spend_eur\n2026-01-01,x,1\n")
    for link in ("crm/salesforce_orders_evil.csv", "surveys/evil.csv", "reviews/reviews_evil.csv"):
        (landing / link).symlink_to(secret)
    mapping = load_survey_mapping(REPO_ROOT / "config" / "survey_mapping.yml")
    orders = next(s for s in CRM_SOURCES if s.name == "salesforce_orders")
    google_play = next(s for s in REVIEW_EXPORT_SOURCES if s.provider == "google_play")
    loaders = {
        "salesforce_orders_evil.csv": lambda con: load_csv_source(
            con, orders, landing, tmp_path / "archive"
        ),
        "evil.csv": lambda con: load_survey_files(con, landing, tmp_path / "archive", mapping),
        "reviews_evil.csv": lambda con: load_review_exports(
            con, google_play, landing, tmp_path / "archive"
        ),
    }
    with duckdb.connect() as con:
        for name, load in loaders.items():
            with pytest.raises(LandingError, match=rf"{re.escape(name)} points outside"):
                load(con)
        # Crafted folders and patterns cannot leave it either.
        for folder, pattern in [("../..", "*.csv"), ("crm", "../../secret*.csv")]:
            crafted = CsvSource("marketing_spend", folder, pattern, "", MARKETING_SPEND.columns)
            with pytest.raises(LandingError, match="outside the landing folder"):
                load_csv_source(con, crafted, landing, tmp_path / "archive")
        loaded = con.execute("select count(*) from raw.load_log").fetchall()[0][0]
    assert loaded == 0
    assert not (tmp_path / "archive").exists() or not any(
        p.name == "secret.csv" or p.is_symlink() for p in (tmp_path / "archive").rglob("*")
    )


def test_a_symlinked_source_folder_is_refused(tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "marketing_spend.csv").write_text("month,channel,spend_eur\n2026-01-01,x,1\n")
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "crm").symlink_to(outside, target_is_directory=True)
    with duckdb.connect() as con, pytest.raises(LandingError, match="'crm' is outside"):
        load_csv_source(con, MARKETING_SPEND, tmp_path / "landing", tmp_path / "archive")
