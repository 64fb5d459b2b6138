"""App store review exports: Google Play CSV (UTF-16) and App Store Connect JSON, both ways."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from demo.app_store_exports import write_app_store_json, write_google_play_csv
from ingest.reviews import REVIEW_FIELDS, ReviewExportError, read_review_export
from ingest.reviews.exports import read_review_file

PACKAGE = "com.rox.shop"
GP_HEADER = (
    "Package Name,App Version Code,App Version Name,Reviewer Language,Device,"
    "Review Submit Date and Time,Review Submit Millis Since Epoch,"
    "Review Last Update Date and Time,Review Last Update Millis Since Epoch,Star Rating,"
    "Review Title,Review Text,Developer Reply Date and Time,Developer Reply Millis Since Epoch,"
    "Developer Reply Text,Review Link"
)
# 2024-02-03T04:05:06.789Z and a day later; the reply an hour after the update.
SUBMIT_MS = 1706933106789
GP_ROWS = [
    f"{PACKAGE},321,3.2.1,de,pixel7,2024-02-03T04:05:06Z,{SUBMIT_MS},"
    f"2024-02-04T04:05:06Z,{SUBMIT_MS + 86_400_000},5,Super,"
    '"Lieferung war schnell, danke! 👍",2024-02-04T05:05:06Z,'
    f"{SUBMIT_MS + 90_000_000},Merci!,https://play.google.com/console/review?id=1",
    f"{PACKAGE},321,3.2.1,fr,,2024-02-05T10:00:00Z,1707127200000,,,2,,très bien... mais lent,,,,",
]


def write_google_play(path: Path, rows: list[str], header: str = GP_HEADER) -> Path:
    text = "\n".join([header, *rows]) + "\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


APP_STORE_DOC = {
    "data": [
        {
            "type": "customerReviews",
            "id": "00000040-a1b2-0001",
            "attributes": {
                "rating": 4,
                "title": "Très bien",
                "body": "Lieferung war schnell, danke! 👍",
                "reviewerNickname": "Privat Person",
                "createdDate": "2024-03-05T10:20:30-08:00",
                "territory": "FRA",
                "appVersionString": "3.2.1",
            },
            "relationships": {
                "response": {"data": {"type": "customerReviewResponses", "id": "resp-1"}}
            },
            "links": {"self": "https://api.appstoreconnect.apple.com/v1/customerReviews/x1"},
        },
        {
            "type": "customerReviews",
            "id": "00000040-a1b2-0002",
            "attributes": {
                "rating": 1,
                "title": None,
                "body": "Crashes",
                "reviewerNickname": "Nick",
                "createdDate": "2024-03-06T00:00:00Z",
                "territory": "USA",
            },
        },
    ],
    "included": [
        {
            "type": "customerReviewResponses",
            "id": "resp-1",
            "attributes": {
                "responseBody": "Merci beaucoup!",
                "lastModifiedDate": "2024-03-06T09:00:00Z",
                "state": "PUBLISHED",
            },
        }
    ],
    "links": {"self": "https://api.appstoreconnect.apple.com/v1/apps/1234567890/customerReviews"},
}


def test_google_play_csv_is_read_from_utf16(tmp_path: Path) -> None:
    frame = read_review_export(write_google_play(tmp_path / "reviews_x_202402.csv", GP_ROWS))
    assert list(frame.columns) == list(REVIEW_FIELDS)
    assert len(frame) == 2
    first, second = frame.to_dict("records")
    assert (first["provider"], first["business_unit_id"], first["stars"]) == (
        "google_play",
        PACKAGE,
        5,
    )
    assert first["text"] == "Lieferung war schnell, danke! 👍"
    assert second["text"] == "très bien... mais lent"
    assert first["created_at"] == pd.Timestamp("2024-02-03T04:05:06.789Z")
    assert first["updated_at"] == pd.Timestamp("2024-02-04T04:05:06.789Z")
    assert first["company_reply_at"] == pd.Timestamp("2024-02-04T05:05:06.789Z")
    assert first["company_reply_text"] == "Merci!" and pd.isna(second["company_reply_text"])
    assert pd.isna(second["updated_at"]) and pd.isna(second["title"])
    expected_id = hashlib.sha256(
        f"{PACKAGE}\x1f{SUBMIT_MS}\x1fhttps://play.google.com/console/review?id=1".encode()
    ).hexdigest()
    assert first["review_id"] == expected_id
    assert (
        second["review_id"]
        == hashlib.sha256(
            f"{PACKAGE}\x1f1707127200000\x1ftrès bien... mais lent".encode()
        ).hexdigest()
    )
    assert json.loads(first["extra"]) == {
        "App Version Code": "321",
        "App Version Name": "3.2.1",
        "Device": "pixel7",
        "Review Link": "https://play.google.com/console/review?id=1",
    }
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"


def test_google_play_round_trip_is_exact(tmp_path: Path) -> None:
    first = read_review_export(write_google_play(tmp_path / "in.csv", GP_ROWS))
    written = write_google_play_csv(first, tmp_path / f"reviews_{PACKAGE}_202402.csv")
    raw = written.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    assert raw.decode("utf-16").splitlines()[0] == GP_HEADER
    again = read_review_export(written)
    pd.testing.assert_frame_equal(first, again)


def test_app_store_json_is_read_without_the_nickname(tmp_path: Path) -> None:
    path = tmp_path / "customer_reviews.json"
    path.write_text(json.dumps(APP_STORE_DOC, ensure_ascii=False), encoding="utf-8")
    frame = read_review_export(path)
    assert len(frame) == 2
    first, second = frame.to_dict("records")
    assert (first["provider"], first["business_unit_id"], first["review_id"]) == (
        "app_store",
        "1234567890",
        "00000040-a1b2-0001",
    )
    assert (first["stars"], first["title"], first["text"]) == (
        4,
        "Très bien",
        "Lieferung war schnell, danke! 👍",
    )
    assert first["created_at"] == pd.Timestamp("2024-03-05T18:20:30Z")
    assert first["company_reply_text"] == "Merci beaucoup!"
    assert first["company_reply_at"] == pd.Timestamp("2024-03-06T09:00:00Z")
    assert pd.isna(second["company_reply_text"]) and second["stars"] == 1
    assert json.loads(first["extra"]) == {
        "territory": "FRA",
        "appVersionString": "3.2.1",
        "response": {"id": "resp-1", "state": "PUBLISHED"},
    }
    flat = frame.astype(str).to_string()
    assert "Privat Person" not in flat and "Nick" not in flat


def test_app_store_round_trip_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(APP_STORE_DOC), encoding="utf-8")
    first = read_review_export(path)
    again = read_review_export(write_app_store_json(first, tmp_path / "out.json"))
    pd.testing.assert_frame_equal(first, again)


def generated_reviews(provider: str, unit: str) -> pd.DataFrame:
    """A frame like the demo generator's: normalised columns, its own ids."""
    t0 = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    rows = []
    for i in range(4):
        rows.append(
            {
                "provider": provider,
                "business_unit_id": unit,
                "review_id": f"gen-{i}",
                "stars": 1 + i,
                "title": f"Titel {i}",
                "text": "très bien 👍" if i % 2 else "Lieferung war schnell, danke!",
                "language": "de",
                "created_at": pd.Timestamp(t0 + dt.timedelta(days=i)),
                "updated_at": pd.NaT,
                "experienced_at": pd.NaT,
                "consumer_id": None,
                "is_verified": False,
                "company_reply_text": "Danke!" if i == 2 else None,
                "company_reply_at": pd.Timestamp(t0 + dt.timedelta(days=3)) if i == 2 else pd.NaT,
                "reference_id": None,
                "tags": [],
                "extra": "{}",
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("layout", ["google_play", "app_store"])
def test_generated_frames_are_written_and_read_back(tmp_path: Path, layout: str) -> None:
    frame = generated_reviews(layout, PACKAGE if layout == "google_play" else "987654")
    if layout == "google_play":
        back = read_review_export(write_google_play_csv(frame, tmp_path / "reviews.csv"))
    else:
        back = read_review_export(write_app_store_json(frame, tmp_path / "reviews.json"))
    assert len(back) == 4
    assert (back["provider"] == layout).all()
    assert list(back["business_unit_id"].unique()) == list(frame["business_unit_id"].unique())
    assert back["stars"].tolist() == [1, 2, 3, 4]
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["created_at"].tolist() == frame["created_at"].tolist()
    assert back["company_reply_text"].fillna("").tolist() == ["", "", "Danke!", ""]
    assert back["review_id"].is_unique


def test_layout_is_told_from_the_content_not_the_name(tmp_path: Path) -> None:
    frame = read_review_export(write_google_play(tmp_path / "looks_like.json", GP_ROWS))
    assert (frame["provider"] == "google_play").all()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("other.csv", b"id,score,comment\n1,5,nice\n"),
        ("other.json", json.dumps({"data": [{"type": "apps", "id": "1"}]}).encode()),
        ("list.json", b'[{"rating": 5}]'),
        ("empty.csv", b""),
        ("binary.bin", bytes(range(128, 256))),
    ],
)
def test_unknown_layout_names_the_file(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ReviewExportError, match=rf"^{name}: unknown review export layout"):
        read_review_export(tmp_path / name)


def test_a_bad_google_play_row_is_rejected_with_line_field_and_value(tmp_path: Path) -> None:
    bad = GP_ROWS[1].replace(",1707127200000,,,2,", ",1707127200000,,,7,")
    path = write_google_play(tmp_path / "reviews_bad_202402.csv", [GP_ROWS[0], bad])
    read = read_review_file(path)
    assert len(read.reviews) == 1 and read.records == 2
    (reject,) = read.rejects.to_dict("records")
    assert (reject["line_number"], reject["field"], reject["value"]) == (3, "Star Rating", "7")
    assert "whole number of stars 1-5" in reject["reason"]


def test_a_bad_app_store_review_is_rejected_with_its_position(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(APP_STORE_DOC))
    del doc["data"][1]["attributes"]["createdDate"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    read = read_review_file(path)
    assert len(read.reviews) == len(doc["data"]) - 1
    (reject,) = read.rejects.to_dict("records")
    assert (reject["line_number"], reject["field"]) == (2, "createdDate")


def test_app_store_file_without_its_app_needs_the_business_unit(tmp_path: Path) -> None:
    doc = {k: v for k, v in APP_STORE_DOC.items() if k != "links"}
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ReviewExportError, match="bare.json: cannot tell which app"):
        read_review_export(path)
    assert set(read_review_export(path, business_unit_id="555")["business_unit_id"]) == {"555"}
