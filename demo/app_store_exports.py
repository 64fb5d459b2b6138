"""Writes normalised reviews as the app stores' export files, for the demo generator.

- Google Play: the monthly review CSV (`reviews_<package>_<YYYYMM>.csv`), UTF-16 with a BOM.
- App Store Connect: the customer reviews JSON of `GET /v1/apps/{id}/customerReviews`, with
  developer responses under `included`.

`ingest.reviews.read_review_export` reads both back. What a layout has no place for is lost on
the way (App Store files carry no language, Google Play ones no review id: the reader derives
one); fields kept in `extra` (device, app version, review link, territory) are written back.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from ingest.reviews import GOOGLE_PLAY_COLUMNS, as_utc, epoch_millis

APP_STORE_API = "https://api.appstoreconnect.apple.com/v1"
# App Store territories are ISO 3166-1 alpha-3 codes; a guess from the language when unknown.
TERRITORY_OF_LANGUAGE = {
    "da": "DNK",
    "de": "DEU",
    "en": "USA",
    "es": "ESP",
    "fr": "FRA",
    "it": "ITA",
    "nl": "NLD",
    "sv": "SWE",
}
_REQUIRED = ("business_unit_id", "created_at", "stars")


def _value(value: Any) -> Any:
    """None for a missing value (None, NaN, NaT, pd.NA), the value otherwise."""
    if isinstance(value, (list, tuple, dict)):
        return value
    if value is None or pd.isna(value):
        return None
    return value


def _records(reviews: pd.DataFrame) -> list[dict[str, Any]]:
    missing = [c for c in _REQUIRED if c not in reviews.columns]
    if missing:
        raise ValueError(f"the reviews frame lacks column(s) {missing}")
    return [{k: _value(v) for k, v in row.items()} for row in reviews.to_dict("records")]


def _extra(record: dict[str, Any]) -> dict[str, Any]:
    extra = record.get("extra")
    if not extra:
        return {}
    return json.loads(extra) if isinstance(extra, str) else dict(extra)


def _google_time(value: Any) -> tuple[str, str]:
    """Google Play's (date-and-time text, epoch millis text) of a timestamp; blanks for None."""
    moment = as_utc(value)
    if moment is None:
        return "", ""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), str(epoch_millis(moment))


def write_google_play_csv(reviews: pd.DataFrame, path: Path | str) -> Path:
    """Write `reviews` as a Google Play review CSV (UTF-16 little-endian with a BOM)."""
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GOOGLE_PLAY_COLUMNS)
    for record in _records(reviews):
        extra = _extra(record)
        submitted, submitted_ms = _google_time(record["created_at"])
        updated, updated_ms = _google_time(record.get("updated_at"))
        replied, replied_ms = _google_time(record.get("company_reply_at"))
        row = {
            "Package Name": record["business_unit_id"],
            "App Version Code": extra.get("App Version Code", ""),
            "App Version Name": extra.get("App Version Name", ""),
            "Reviewer Language": record.get("language") or "",
            "Device": extra.get("Device", ""),
            "Review Submit Date and Time": submitted,
            "Review Submit Millis Since Epoch": submitted_ms,
            "Review Last Update Date and Time": updated,
            "Review Last Update Millis Since Epoch": updated_ms,
            "Star Rating": int(record["stars"]),
            "Review Title": record.get("title") or "",
            "Review Text": record.get("text") or "",
            "Developer Reply Date and Time": replied,
            "Developer Reply Millis Since Epoch": replied_ms,
            "Developer Reply Text": record.get("company_reply_text") or "",
            "Review Link": extra.get("Review Link", ""),
        }
        writer.writerow([row[column] for column in GOOGLE_PLAY_COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codecs.BOM_UTF16_LE + buffer.getvalue().encode("utf-16-le"))
    return path


def _apple_time(value: Any) -> str | None:
    moment = as_utc(value)
    return moment.isoformat(timespec="seconds") if moment else None


def write_app_store_json(reviews: pd.DataFrame, path: Path | str) -> Path:
    """Write `reviews` (of one app) as an App Store Connect customer reviews JSON document."""
    path = Path(path)
    records = _records(reviews)
    apps = sorted({str(r["business_unit_id"]) for r in records})
    if len(apps) > 1:
        raise ValueError(f"{path.name}: an App Store file holds one app's reviews, got {apps}")
    data = []
    included = []
    for record in records:
        extra = _extra(record)
        review_id = str(record.get("review_id") or "")
        if not review_id:
            raise ValueError(f"{path.name}: a review without review_id")
        response = dict(extra.pop("response", None) or {})
        attributes = {
            "rating": int(record["stars"]),
            "title": record.get("title"),
            "body": record.get("text"),
            # Personal and never kept by the reader: a stand-in derived from the id.
            "reviewerNickname": "user" + hashlib.sha256(review_id.encode()).hexdigest()[:8],
            "createdDate": _apple_time(record["created_at"]),
            "territory": extra.pop("territory", None)
            or TERRITORY_OF_LANGUAGE.get(str(record.get("language") or "")[:2], "USA"),
        }
        attributes.update(extra)
        item: dict[str, Any] = {"type": "customerReviews", "id": review_id}
        item["attributes"] = attributes
        response_ref = None
        if record.get("company_reply_text") is not None:
            response_id = str(response.pop("id", None) or f"r-{review_id}")
            response_ref = {"type": "customerReviewResponses", "id": response_id}
            reply = {
                "responseBody": record["company_reply_text"],
                "lastModifiedDate": _apple_time(record.get("company_reply_at")),
                "state": response.pop("state", "PUBLISHED"),
                **response,
            }
            included.append(
                {
                    "type": "customerReviewResponses",
                    "id": response_id,
                    "attributes": reply,
                    "relationships": {
                        "review": {"data": {"type": "customerReviews", "id": review_id}}
                    },
                }
            )
        item["relationships"] = {"response": {"data": response_ref}}
        item["links"] = {"self": f"{APP_STORE_API}/customerReviews/{quote(review_id, safe='')}"}
        data.append(item)
    document: dict[str, Any] = {"data": data}
    if included:
        document["included"] = included
    document["links"] = (
        {"self": f"{APP_STORE_API}/apps/{quote(apps[0], safe='')}/customerReviews"} if apps else {}
    )
    document["meta"] = {"paging": {"total": len(data), "limit": max(len(data), 1)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
