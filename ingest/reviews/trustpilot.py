"""The Trustpilot Business API (v1): a client that reads a business unit's reviews page by page,
and the normaliser of one review. The client keeps each page's raw body text, so the sync can land
it before it is parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from ingest.reviews.fields import (
    FieldError,
    as_utc,
    json_text,
    parse_field_timestamp,
    parse_stars,
    parse_text,
    reject_row,
)

log = logging.getLogger(__name__)

PER_PAGE = 100
ORDER_BY = "createdat.asc"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A longer Retry-After is cut to this: we retry sooner (and may be told to wait again).
MAX_RETRY_AFTER_S = 600
# Query parameters that may carry a secret: never followed, logged or landed.
SECRET_PARAMS = frozenset({"apikey", "api_key", "access_token", "token", "client_secret"})
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
    # Reviews that failed validation (position on the page from 1, field, value, reason): the
    # rest of the page loads and the sync moves on.
    rejects: list[dict[str, Any]] = field(default_factory=list)


def redact_url(url: str) -> str:
    """`url` without query parameters that may carry a secret (`apikey`, tokens)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k.lower() not in SECRET_PARAMS]
    if len(kept) == len(query):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def normalise_trustpilot_review(review: Any, business_unit_id: str) -> dict[str, Any]:
    """One review of Trustpilot's JSON as our fields; ValueError naming the field if malformed.

    The consumer's display name is personal and dropped; every other unmapped field is in `extra`.
    """
    if not isinstance(review, dict):
        raise ValueError(f"a review is not a JSON object but {type(review).__name__}")
    review_id = review.get("id")
    if not isinstance(review_id, str) or not review_id:
        raise FieldError("id", review_id, f"missing or not text: {review_id!r}")
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
            raise FieldError("tags", tag, f"expected {{group, value}} objects, got {tag!r}")
    created_at = parse_field_timestamp(review.get("createdAt"), "createdAt")
    if created_at is None:
        raise FieldError("createdAt", None, "missing")
    is_verified = review.get("isVerified")
    if is_verified is not None and not isinstance(is_verified, bool):
        raise FieldError("isVerified", is_verified, f"expected true or false, got {is_verified!r}")

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
        "stars": parse_stars(review.get("stars"), "stars"),
        "title": parse_text(review.get("title"), "title"),
        "text": parse_text(review.get("text"), "text"),
        "language": parse_text(review.get("language"), "language"),
        "created_at": created_at,
        "updated_at": parse_field_timestamp(review.get("updatedAt"), "updatedAt"),
        "experienced_at": parse_field_timestamp(review.get("experiencedAt"), "experiencedAt"),
        "consumer_id": parse_text(consumer.get("id"), "consumer.id"),
        "is_verified": bool(is_verified),
        "company_reply_text": parse_text(reply.get("text"), "companyReply.text"),
        "company_reply_at": parse_field_timestamp(reply.get("createdAt"), "companyReply.createdAt"),
        "reference_id": parse_text(review.get("referenceId"), "referenceId"),
        "tags": tags,
        "extra": json_text(extra),
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

        reviews, rejects = [], []
        for index, item in enumerate(body["reviews"]):
            try:
                reviews.append(normalise_trustpilot_review(item, business_unit_id))
            except ValueError as err:
                review_id = item.get("id") if isinstance(item, dict) else None
                log.warning("%s: review %d (id %r) rejected: %s", where, index, review_id, err)
                rejects.append(reject_row(index + 1, err, item))
        next_url = self._next_url(body, url, page_number)
        log.debug("%s: %d reviews, %d rejected", where, len(reviews), len(rejects))
        return ReviewPage(
            url, page_number, fetched_at, status, body_text, reviews, next_url, rejects
        )

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
