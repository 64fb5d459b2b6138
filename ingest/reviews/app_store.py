"""App Store Connect review exports: saved responses of the customerReviews endpoints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ingest.reviews.fields import (
    ReviewExportError,
    json_text,
    parse_stars,
    parse_text,
    parse_timestamp,
)

_APP_STORE_MAPPED = frozenset({"rating", "title", "body", "createdDate", "reviewerNickname"})
# Keys of an App Store item that are API plumbing (the links are the review's own URL).
_APP_STORE_PLUMBING = frozenset({"type", "id", "attributes", "relationships", "links"})
_APP_STORE_APP = re.compile(r"/apps/([^/?#]+)/customerReviews")


def is_app_store(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        return False
    return all(
        isinstance(item, dict) and item.get("type") == "customerReviews"
        for item in document["data"]
    )


def _app_store_app_id(document: dict[str, Any]) -> str | None:
    links = document.get("links")
    self_link = links.get("self") if isinstance(links, dict) else None
    match = _APP_STORE_APP.search(self_link) if isinstance(self_link, str) else None
    return unquote(match.group(1)) if match else None


def _relationship_id(item: dict[str, Any], name: str) -> str | None:
    relationships = item.get("relationships")
    relationship = relationships.get(name) if isinstance(relationships, dict) else None
    data = relationship.get("data") if isinstance(relationship, dict) else None
    return data.get("id") if isinstance(data, dict) else None


def app_store_rows(
    path: Path, document: dict[str, Any], business_unit_id: str | None
) -> list[dict[str, Any]]:
    app_id = _app_store_app_id(document) or business_unit_id
    if document["data"] and not app_id:
        raise ReviewExportError(
            f"{path.name}: cannot tell which app these reviews are of (no links.self "
            "'/apps/<id>/customerReviews'); pass business_unit_id"
        )
    responses = {}
    response_of_review = {}
    for item in document.get("included") or []:
        if isinstance(item, dict) and item.get("type") == "customerReviewResponses":
            responses[item.get("id")] = item
            review_id = _relationship_id(item, "review")
            if review_id is not None:
                response_of_review[review_id] = item
    rows = []
    for number, item in enumerate(document["data"], start=1):
        try:
            rows.append(_app_store_review(item, app_id, responses, response_of_review))
        except ValueError as err:
            where = f"{path.name}: row {number} (data[{number - 1}])"
            raise ReviewExportError(f"{where}: {err}") from err
    return rows


def _app_store_review(
    item: dict[str, Any],
    app_id: str | None,
    responses: dict[Any, dict[str, Any]],
    response_of_review: dict[Any, dict[str, Any]],
) -> dict[str, Any]:
    review_id = parse_text(item.get("id"), "id")
    if not review_id:
        raise ValueError("field id: missing")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise ValueError("field attributes: missing or not an object")
    created_at = parse_timestamp(attributes.get("createdDate"), "createdDate")
    if created_at is None:
        raise ValueError("field createdDate: missing")
    response = responses.get(_relationship_id(item, "response")) or response_of_review.get(
        review_id
    )
    extra = {k: v for k, v in attributes.items() if k not in _APP_STORE_MAPPED}
    extra.update({k: v for k, v in item.items() if k not in _APP_STORE_PLUMBING})
    reply_text = reply_at = None
    if response is not None:
        reply = response.get("attributes") or {}
        reply_text = parse_text(reply.get("responseBody"), "responseBody")
        reply_at = parse_timestamp(reply.get("lastModifiedDate"), "lastModifiedDate")
        rest = {k: v for k, v in reply.items() if k not in ("responseBody", "lastModifiedDate")}
        extra["response"] = {"id": response.get("id"), **rest}
    return {
        "provider": "app_store",
        "business_unit_id": app_id,
        "review_id": review_id,
        "stars": parse_stars(attributes.get("rating"), "rating"),
        "title": parse_text(attributes.get("title"), "title"),
        "text": parse_text(attributes.get("body"), "body"),
        "language": None,
        "created_at": created_at,
        "updated_at": None,
        "experienced_at": None,
        "consumer_id": None,
        "is_verified": False,
        "company_reply_text": reply_text,
        "company_reply_at": reply_at,
        "reference_id": None,
        "tags": [],
        "extra": json_text(extra),
    }
