"""Customer reviews: a Trustpilot Business API client and readers of the app stores' exports.

Every source is normalised to the same fields (`REVIEW_FIELDS`), so the warehouse lands one shape
whatever the source. Whatever has no field of its own goes, as JSON, to `extra`, so nothing is
lost, except personal data we do not want (reviewers' names and nicknames). The API client keeps
each page's raw body text, so the sync can land it before it is parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

REVIEW_FIELDS = (
    "provider",
    "business_unit_id",
    "review_id",
    "stars",
    "title",
    "text",
    "language",
    "created_at",
    "updated_at",
    "experienced_at",
    "consumer_id",
    "is_verified",
    "company_reply_text",
    "company_reply_at",
    "reference_id",
    "tags",
    "extra",
)
TIMESTAMP_FIELDS = ("created_at", "updated_at", "experienced_at", "company_reply_at")

PER_PAGE = 100
ORDER_BY = "createdat.asc"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A longer Retry-After is cut to this: we retry sooner (and may be told to wait again).
MAX_RETRY_AFTER_S = 600
# Query parameters that may carry a secret: never followed, logged or landed.
SECRET_PARAMS = frozenset({"apikey", "api_key", "access_token", "token", "client_secret"})

GOOGLE_PLAY_COLUMNS = (
    "Package Name",
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    "Review Submit Date and Time",
    "Review Submit Millis Since Epoch",
    "Review Last Update Date and Time",
    "Review Last Update Millis Since Epoch",
    "Star Rating",
    "Review Title",
    "Review Text",
    "Developer Reply Date and Time",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
)
_GOOGLE_PLAY_REQUIRED = ("Package Name", "Review Submit Millis Since Epoch", "Star Rating")
# Columns with a field of their own; the others (device, app version, link) go to `extra`.
_GOOGLE_PLAY_MAPPED = frozenset(GOOGLE_PLAY_COLUMNS) - {
    "App Version Code",
    "App Version Name",
    "Device",
    "Review Link",
}
_APP_STORE_MAPPED = frozenset({"rating", "title", "body", "createdDate", "reviewerNickname"})
# Keys of an App Store item that are API plumbing (the links are the review's own URL).
_APP_STORE_PLUMBING = frozenset({"type", "id", "attributes", "relationships", "links"})
_APP_STORE_APP = re.compile(r"/apps/([^/?#]+)/customerReviews")
_TRUSTPILOT_MAPPED = frozenset(
    {
        "id",
        "stars",
        "title",
        "text",
        "language",
        "createdAt",
        "updatedAt",
        "experiencedAt",
        "consumer",
        "isVerified",
        "companyReply",
        "referenceId",
        "tags",
    }
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_DECIMAL_SECONDS = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*$")


class ReviewApiError(RuntimeError):
    """The review API failed for good. The message names the URL and page, never the key.

    `page` holds the fetched page (its raw body, no reviews) when the body could not be parsed,
    so the caller can still land what the API sent.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        page_number: int | None = None,
        page: ReviewPage | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.page_number = page_number
        self.page = page


class ReviewApiAuthError(ReviewApiError):
    """The API refused the key (401/403): retrying will not help."""


class ReviewExportError(ValueError):
    """An export file that cannot be read; the message names the file (and the row)."""


@dataclass(frozen=True)
class ReviewPage:
    """One page as fetched: the raw body (to land as is) and its reviews, normalised."""

    url: str
    page_number: int
    fetched_at: dt.datetime
    status: int
    body_text: str
    reviews: list[dict[str, Any]] = field(default_factory=list)
    next_url: str | None = None


# -- small helpers ---------------------------------------------------------------------------


def as_utc(value: Any) -> dt.datetime | None:
    """A UTC-aware datetime from a datetime, pandas Timestamp or ISO 8601 text; naive is UTC."""
    if value is None or pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip())
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def redact_url(url: str) -> str:
    """`url` without query parameters that may carry a secret (`apikey`, tokens)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k.lower() not in SECRET_PARAMS]
    if len(kept) == len(query):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _timestamp(value: Any, name: str) -> dt.datetime | None:
    try:
        return as_utc(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"field {name}: not an ISO 8601 timestamp: {value!r}") from err


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"field {name}: expected text, got {type(value).__name__} {value!r}")


def _stars(value: Any, name: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"field {name}: expected a whole number of stars 1-5, got {value!r}")
    return value


def _millis(value: str | None, text: str | None, name: str) -> dt.datetime | None:
    """Google Play's epoch milliseconds, else its date-and-time text, else None."""
    if value and value.strip():
        try:
            return _EPOCH + dt.timedelta(milliseconds=int(value.strip()))
        except ValueError as err:
            raise ValueError(f"field {name}: not epoch milliseconds: {value!r}") from err
    return _timestamp(text, name.replace("Millis Since Epoch", "Date and Time"))


def epoch_millis(value: dt.datetime) -> int:
    """Whole milliseconds since the Unix epoch of a UTC-aware datetime."""
    return (value - _EPOCH) // dt.timedelta(milliseconds=1)


def google_play_review_id(
    package: str, submit_millis: int, link: str | None, text: str | None
) -> str:
    """The id we give a Google Play review (the exports have none).

    sha256 of package, submit time in epoch milliseconds and the review link (or, without a
    link, the review text), joined by U+001F. With a link it is stable across edits.
    """
    key = "\x1f".join([package, str(submit_millis), link or text or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# -- the Trustpilot API ----------------------------------------------------------------------


def normalise_trustpilot_review(review: Any, business_unit_id: str) -> dict[str, Any]:
    """One review of Trustpilot's JSON as our fields; ValueError naming the field if malformed.

    The consumer's display name is personal and dropped; every other unmapped field is in `extra`.
    """
    if not isinstance(review, dict):
        raise ValueError(f"a review is not a JSON object but {type(review).__name__}")
    review_id = review.get("id")
    if not isinstance(review_id, str) or not review_id:
        raise ValueError(f"field id: missing or not text: {review_id!r}")
    consumer = review.get("consumer") or {}
    reply = review.get("companyReply") or {}
    if not isinstance(consumer, dict) or not isinstance(reply, dict):
        raise ValueError("fields consumer and companyReply must be JSON objects")
    tags = []
    for tag in review.get("tags") or []:
        if isinstance(tag, dict):
            tags.append(f"{tag.get('group', '')}:{tag.get('value', '')}")
        elif isinstance(tag, str):
            tags.append(tag)
        else:
            raise ValueError(f"field tags: expected {{group, value}} objects, got {tag!r}")
    created_at = _timestamp(review.get("createdAt"), "createdAt")
    if created_at is None:
        raise ValueError("field createdAt: missing")
    is_verified = review.get("isVerified")
    if is_verified is not None and not isinstance(is_verified, bool):
        raise ValueError(f"field isVerified: expected true or false, got {is_verified!r}")

    extra = {k: v for k, v in review.items() if k not in _TRUSTPILOT_MAPPED}
    consumer_rest = {k: v for k, v in consumer.items() if k not in ("id", "displayName")}
    if consumer_rest:
        extra["consumer"] = consumer_rest
    reply_rest = {k: v for k, v in reply.items() if k not in ("text", "createdAt")}
    if reply_rest:
        extra["companyReply"] = reply_rest
    return {
        "provider": "trustpilot",
        "business_unit_id": business_unit_id,
        "review_id": review_id,
        "stars": _stars(review.get("stars"), "stars"),
        "title": _text(review.get("title"), "title"),
        "text": _text(review.get("text"), "text"),
        "language": _text(review.get("language"), "language"),
        "created_at": created_at,
        "updated_at": _timestamp(review.get("updatedAt"), "updatedAt"),
        "experienced_at": _timestamp(review.get("experiencedAt"), "experiencedAt"),
        "consumer_id": _text(consumer.get("id"), "consumer.id"),
        "is_verified": bool(is_verified),
        "company_reply_text": _text(reply.get("text"), "companyReply.text"),
        "company_reply_at": _timestamp(reply.get("createdAt"), "companyReply.createdAt"),
        "reference_id": _text(review.get("referenceId"), "referenceId"),
        "tags": tags,
        "extra": _json_text(extra),
    }


class _Retry(Retry):
    """urllib3's Retry that also takes a fractional Retry-After ("0.25" seconds).

    An unreadable Retry-After falls back to the exponential backoff instead of failing.
    """

    def parse_retry_after(self, retry_after: str) -> float:
        if _DECIMAL_SECONDS.match(retry_after):
            return min(float(retry_after), float(self.retry_after_max))
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            log.warning("ignoring an unreadable Retry-After header: %r", retry_after[:50])
            return 0.0


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _parse_body(content: bytes) -> tuple[str, dict[str, Any], str | None]:
    """The body as text, as a JSON object, and what is wrong with it (None when it is a page)."""
    try:
        body_text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        return content.decode("utf-8", errors="replace"), {}, f"the body is not UTF-8 ({err})"
    try:
        body = json.loads(body_text)
    except json.JSONDecodeError as err:
        return body_text, {}, f"the body is not valid JSON ({err.msg} at line {err.lineno})"
    if not isinstance(body, dict):
        return body_text, {}, f"the body is a JSON {type(body).__name__}, not an object"
    if not isinstance(body.get("reviews"), list):
        return body_text, body, "the body has no 'reviews' list"
    return body_text, body, None


class ReviewApiClient:
    """Reads a business unit's reviews from the Trustpilot Business API (v1), page by page.

    Retries (urllib3) with exponential backoff on 429 and 5xx, honouring Retry-After, within
    `max_tries` tries in all; `timeout` is (connect, read) seconds. The key goes in the `apikey`
    header only; it is never put in a URL, an error message or a log line.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: tuple[float, float] = (5, 30),
        max_tries: int = 6,
        backoff_factor: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        if max_tries < 1:
            raise ValueError(f"max_tries must be at least 1, got {max_tries}")
        scheme, netloc = _origin(base_url)
        if scheme not in ("http", "https") or not netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_tries = max_tries
        self._api_key = api_key
        self._session = session or requests.Session()
        retry = _Retry(
            total=max_tries - 1,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            retry_after_max=MAX_RETRY_AFTER_S,
            raise_on_status=False,
        )
        # Mounted for the API's origin only, so a session passed in keeps its other adapters.
        self._session.mount(f"{scheme}://{netloc}/", HTTPAdapter(max_retries=retry))

    def __repr__(self) -> str:
        return f"ReviewApiClient({self.base_url!r})"

    def first_page_url(self, business_unit_id: str, since: dt.datetime | None = None) -> str:
        query = {"page": "1", "perPage": str(PER_PAGE), "orderBy": ORDER_BY}
        if since is not None:
            start = as_utc(since).replace(microsecond=0)
            query["startDateTime"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        unit = quote(business_unit_id, safe="")
        return f"{self.base_url}/v1/business-units/{unit}/reviews?{urlencode(query)}"

    def iter_pages(
        self, business_unit_id: str, since: dt.datetime | None = None
    ) -> Iterator[ReviewPage]:
        """Every page of reviews created or updated since `since` (all when None), in order."""
        url: str | None = self.first_page_url(business_unit_id, since)
        seen: set[str] = set()
        page_number = 1
        while url is not None:
            if url in seen:
                raise ReviewApiError(
                    f"{url} (page {page_number}): the API links back to a page already read",
                    url=url,
                    page_number=page_number,
                )
            seen.add(url)
            page = self._fetch_page(business_unit_id, url, page_number)
            yield page
            url = page.next_url
            page_number += 1

    def iter_reviews(
        self, business_unit_id: str, since: dt.datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """The normalised reviews of every page (see `iter_pages`)."""
        for page in self.iter_pages(business_unit_id, since):
            yield from page.reviews

    def _get(self, url: str, business_unit_id: str, page_number: int) -> requests.Response:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers["apikey"] = self._api_key
        try:
            return self._session.get(
                url, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as err:
            raise ReviewApiError(
                f"{url} (page {page_number} of business unit {business_unit_id}): request "
                f"failed within {self.max_tries} tries: {type(err).__name__}: {err}",
                url=url,
                page_number=page_number,
            ) from err

    def _fetch_page(self, business_unit_id: str, url: str, page_number: int) -> ReviewPage:
        where = f"{url} (page {page_number} of business unit {business_unit_id})"
        fetched_at = dt.datetime.now(dt.UTC)
        response = self._get(url, business_unit_id, page_number)
        status = response.status_code
        if status in (401, 403):
            raise ReviewApiAuthError(
                f"business unit {business_unit_id}: the review API refused the API key "
                f"(HTTP {status}) at {url} (page {page_number}); check the configured key",
                url=url,
                page_number=page_number,
            )
        if status in RETRY_STATUSES:
            raise ReviewApiError(
                f"{where}: still HTTP {status} after {self.max_tries} tries",
                url=url,
                page_number=page_number,
            )
        if not 200 <= status < 300:
            detail = response.headers.get("Location") or response.text[:200]
            raise ReviewApiError(
                f"{where}: HTTP {status}: {detail}", url=url, page_number=page_number
            )
        body_text, body, problem = _parse_body(response.content)
        page = ReviewPage(url, page_number, fetched_at, status, body_text)
        if problem is not None:
            raise ReviewApiError(f"{where}: {problem}", url=url, page_number=page_number, page=page)

        reviews = []
        for index, item in enumerate(body["reviews"]):
            try:
                reviews.append(normalise_trustpilot_review(item, business_unit_id))
            except ValueError as err:
                review_id = item.get("id") if isinstance(item, dict) else None
                raise ReviewApiError(
                    f"{where}: review {index} (id {review_id!r}): {err}",
                    url=url,
                    page_number=page_number,
                    page=page,
                ) from err
        next_url = self._next_url(body, url, page_number)
        log.debug("%s: %d reviews", where, len(reviews))
        return ReviewPage(url, page_number, fetched_at, status, body_text, reviews, next_url)

    def _next_url(self, body: dict[str, Any], url: str, page_number: int) -> str | None:
        """The `next-page` link's href, as given but for secret query parameters; None at the end.

        A link to another host is refused: the key must not be sent anywhere else.
        """
        links = body.get("links") or []
        hrefs = [
            link.get("href")
            for link in links
            if isinstance(link, dict) and link.get("rel") == "next-page"
        ]
        if not hrefs or not hrefs[0]:
            return None
        next_url = redact_url(urljoin(url, hrefs[0]))
        if _origin(next_url) != _origin(self.base_url):
            raise ReviewApiError(
                f"{url} (page {page_number}): the next-page link leaves {self.base_url}: "
                f"{next_url}; refused",
                url=url,
                page_number=page_number,
            )
        return next_url


# -- app store exports -----------------------------------------------------------------------


def review_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of normalised reviews with the column types the readers promise."""
    frame = pd.DataFrame(rows, columns=list(REVIEW_FIELDS))
    for column in TIMESTAMP_FIELDS:
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    frame["stars"] = frame["stars"].astype("int64")
    frame["is_verified"] = frame["is_verified"].astype("bool")
    return frame


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
        if _is_app_store(document):
            return review_frame(_app_store_rows(path, document, business_unit_id))
        raise ReviewExportError(
            f"{path.name}: unknown review export layout (JSON without an App Store "
            "'data' list of customerReviews)"
        )
    header = next(csv.reader(io.StringIO(text)), [])
    if all(column in header for column in _GOOGLE_PLAY_REQUIRED):
        return review_frame(_google_play_rows(path, text))
    shown = ", ".join(header[:6]) or "an empty file"
    raise ReviewExportError(
        f"{path.name}: unknown review export layout (expected a Google Play review CSV with "
        f"{list(_GOOGLE_PLAY_REQUIRED)} or an App Store Connect JSON; found {shown})"
    )


def _google_play_rows(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    for number, row in enumerate(reader, start=1):
        where = f"{path.name}: row {number} (line {reader.line_num})"
        if None in row:
            raise ReviewExportError(f"{where}: more fields than the header has columns")
        values = {k: (v or "").strip() for k, v in row.items()}
        try:
            rows.append(_google_play_review(values))
        except ValueError as err:
            raise ReviewExportError(f"{where}: {err}") from err
    return rows


def _google_play_review(values: dict[str, str]) -> dict[str, Any]:
    package = values["Package Name"]
    if not package:
        raise ValueError("field Package Name: empty")
    created_at = _millis(
        values.get("Review Submit Millis Since Epoch"),
        values.get("Review Submit Date and Time"),
        "Review Submit Millis Since Epoch",
    )
    if created_at is None:
        raise ValueError("field Review Submit Millis Since Epoch: empty")
    title = values.get("Review Title") or None
    text = values.get("Review Text") or None
    link = values.get("Review Link") or None
    extra = {k: v for k, v in values.items() if k not in _GOOGLE_PLAY_MAPPED and v}
    return {
        "provider": "google_play",
        "business_unit_id": package,
        "review_id": google_play_review_id(package, epoch_millis(created_at), link, text),
        "stars": _stars(values["Star Rating"], "Star Rating"),
        "title": title,
        "text": text,
        "language": values.get("Reviewer Language") or None,
        "created_at": created_at,
        "updated_at": _millis(
            values.get("Review Last Update Millis Since Epoch"),
            values.get("Review Last Update Date and Time"),
            "Review Last Update Millis Since Epoch",
        ),
        "experienced_at": None,
        "consumer_id": None,
        "is_verified": False,
        "company_reply_text": values.get("Developer Reply Text") or None,
        "company_reply_at": _millis(
            values.get("Developer Reply Millis Since Epoch"),
            values.get("Developer Reply Date and Time"),
            "Developer Reply Millis Since Epoch",
        ),
        "reference_id": None,
        "tags": [],
        "extra": _json_text(extra),
    }


def _is_app_store(document: Any) -> bool:
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


def _app_store_rows(
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
    review_id = _text(item.get("id"), "id")
    if not review_id:
        raise ValueError("field id: missing")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise ValueError("field attributes: missing or not an object")
    created_at = _timestamp(attributes.get("createdDate"), "createdDate")
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
        reply_text = _text(reply.get("responseBody"), "responseBody")
        reply_at = _timestamp(reply.get("lastModifiedDate"), "lastModifiedDate")
        rest = {k: v for k, v in reply.items() if k not in ("responseBody", "lastModifiedDate")}
        extra["response"] = {"id": response.get("id"), **rest}
    return {
        "provider": "app_store",
        "business_unit_id": app_id,
        "review_id": review_id,
        "stars": _stars(attributes.get("rating"), "rating"),
        "title": _text(attributes.get("title"), "title"),
        "text": _text(attributes.get("body"), "body"),
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
        "extra": _json_text(extra),
    }
