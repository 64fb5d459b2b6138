"""App Store Connect review exports: saved responses of the customerReviews endpoints.

Both documented endpoints: `GET /v1/apps/{id}/customerReviews` (its `links.self` names the app)
and `GET /v1/appStoreVersions/{id}/customerReviews` (it names a version, not the app: the app id
then comes from the setting `ROX_APP_STORE_APP_IDS`, per folder or file-name pattern). A saved
page whose `links.next` is set is loaded and flagged partial (reviews in the file against
`meta.paging.total`). A review that fails validation is rejected with its position, field and
value; the others load. Responses are read from `included` (`include=response`).
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ingest.reviews.fields import (
    FieldError,
    ReviewExportError,
    json_text,
    parse_field_timestamp,
    parse_stars,
    parse_text,
    reject_row,
)

_APP_STORE_MAPPED = frozenset({"rating", "title", "body", "createdDate", "reviewerNickname"})
# Keys of an App Store item that are API plumbing (the links are the review's own URL).
_APP_STORE_PLUMBING = frozenset({"type", "id", "attributes", "relationships", "links"})
_APPS_LINK = re.compile(r"/apps/([^/?#]+)/customerReviews")
_VERSIONS_LINK = re.compile(r"/appStoreVersions/([^/?#]+)/customerReviews")


def is_app_store(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        return False
    return all(
        isinstance(item, dict) and item.get("type") == "customerReviews"
        for item in document["data"]
    )


def parse_app_ids(setting: str | None) -> list[tuple[str, str]]:
    """`ROX_APP_STORE_APP_IDS`: comma-separated `pattern=app_id`, the pattern a glob over the
    file's path below the reviews folder (`ios/*`, `appStoreVersions_*`)."""
    pairs = []
    for part in (setting or "").split(","):
        if not part.strip():
            continue
        pattern, sep, app_id = part.partition("=")
        if not sep or not pattern.strip() or not app_id.strip():
            raise ValueError(
                f"ROX_APP_STORE_APP_IDS: expected pattern=app_id, got {part.strip()!r}"
            )
        pairs.append((pattern.strip(), app_id.strip()))
    return pairs


def app_id_for(relative_path: str, app_ids: list[tuple[str, str]]) -> str | None:
    """The app id of the first pattern matching the file's path or its name."""
    name = relative_path.rsplit("/", 1)[-1]
    for pattern, app_id in app_ids:
        if fnmatch.fnmatchcase(relative_path, pattern) or fnmatch.fnmatchcase(name, pattern):
            return app_id
    return None


def _self_link(document: dict[str, Any]) -> str:
    links = document.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    return link if isinstance(link, str) else ""


def _relationship_id(item: dict[str, Any], name: str) -> str | None:
    relationships = item.get("relationships")
    relationship = relationships.get(name) if isinstance(relationships, dict) else None
    data = relationship.get("data") if isinstance(relationship, dict) else None
    return data.get("id") if isinstance(data, dict) else None


def paging(document: dict[str, Any]) -> dict[str, Any]:
    """Whether the saved page is the whole listing: reviews in it, the API's total, partial."""
    links = document.get("links") if isinstance(document.get("links"), dict) else {}
    meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
    total = (
        (meta.get("paging") or {}).get("total") if isinstance(meta.get("paging"), dict) else None
    )
    in_file = len(document.get("data") or [])
    partial = bool(links.get("next")) or (isinstance(total, int) and total > in_file)
    return {"reviews_in_file": in_file, "paging_total": total, "partial": partial}


def app_store_rows(
    path: Path, document: dict[str, Any], business_unit_id: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(reviews, rejects) of a saved customerReviews response."""
    link = _self_link(document)
    apps = _APPS_LINK.search(link)
    app_id = unquote(apps.group(1)) if apps else business_unit_id
    if document["data"] and not app_id:
        version = _VERSIONS_LINK.search(link)
        named = f"app store version {unquote(version.group(1))}" if version else "no app"
        raise ReviewExportError(
            f"{path.name}: cannot tell which app these reviews are of (links.self names "
            f"{named}); set ROX_APP_STORE_APP_IDS to pattern=app_id for this folder or file name"
        )
    versions = _VERSIONS_LINK.search(link)
    responses = {}
    response_of_review = {}
    for item in document.get("included") or []:
        if isinstance(item, dict) and item.get("type") == "customerReviewResponses":
            responses[item.get("id")] = item
            review_id = _relationship_id(item, "review")
            if review_id is not None:
                response_of_review[review_id] = item
    rows, rejects = [], []
    for number, item in enumerate(document["data"], start=1):
        try:
            row = _app_store_review(item, app_id, responses, response_of_review)
        except ValueError as err:
            rejects.append(reject_row(number, err, item))
            continue
        if versions:
            extra = json.loads(row["extra"])
            row["extra"] = json_text({**extra, "appStoreVersion": unquote(versions.group(1))})
        rows.append(row)
    return rows, rejects


def _app_store_review(
    item: dict[str, Any],
    app_id: str | None,
    responses: dict[Any, dict[str, Any]],
    response_of_review: dict[Any, dict[str, Any]],
) -> dict[str, Any]:
    review_id = parse_text(item.get("id"), "id")
    if not review_id:
        raise FieldError("id", None, "missing")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise FieldError("attributes", None, "missing or not an object")
    created_at = parse_field_timestamp(attributes.get("createdDate"), "createdDate")
    if created_at is None:
        raise FieldError("createdDate", None, "missing")
    response = responses.get(_relationship_id(item, "response")) or response_of_review.get(
        review_id
    )
    extra = {k: v for k, v in attributes.items() if k not in _APP_STORE_MAPPED}
    extra.update({k: v for k, v in item.items() if k not in _APP_STORE_PLUMBING})
    reply_text = reply_at = None
    if response is not None:
        reply = response.get("attributes") or {}
        reply_text = parse_text(reply.get("responseBody"), "responseBody")
        reply_at = parse_field_timestamp(reply.get("lastModifiedDate"), "lastModifiedDate")
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
