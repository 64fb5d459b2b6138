"""A local review API speaking Trustpilot's Business API v1 wire format, for demos and tests.

It serves `GET /v1/business-units/{id}/reviews` from in-memory reviews in Trustpilot's JSON shape,
pages with `links` (rel `next-page`, absolute href), filters `startDateTime` on createdAt OR
updatedAt (so an edited review is served again) and can misbehave on purpose: 401 without the
right `apikey` header, 429 with Retry-After every Nth request, 500 at chosen request numbers,
a slow answer, a broken body or a body cut off mid-transfer at chosen request numbers. It binds
127.0.0.1 only.

    python -m demo.review_api --port 0 --reviews reviews.json   # {"<unit id>": [review, ...]}
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

HOST = "127.0.0.1"
ORDERINGS = ("createdat.asc", "createdat.desc")
DEFAULT_PER_PAGE = 20


def iso(value: dt.datetime | None) -> str | None:
    """Trustpilot's timestamp text: UTC with milliseconds and a Z."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_review(
    review_id: str,
    created_at: dt.datetime,
    *,
    stars: int = 5,
    title: str | None = "Great",
    text: str | None = "All good.",
    language: str = "en",
    updated_at: dt.datetime | None = None,
    experienced_at: dt.datetime | None = None,
    consumer_id: str | None = None,
    display_name: str = "Jane D.",
    is_verified: bool = True,
    reply_text: str | None = None,
    reply_at: dt.datetime | None = None,
    reference_id: str | None = None,
    tags: Iterable[tuple[str, str]] = (),
    **extra_fields: Any,
) -> dict[str, Any]:
    """One review in Trustpilot's JSON shape; `extra_fields` are added as they are."""
    review: dict[str, Any] = {
        "id": review_id,
        "stars": stars,
        "title": title,
        "text": text,
        "language": language,
        "createdAt": iso(created_at),
        "updatedAt": iso(updated_at),
        "experiencedAt": iso(experienced_at),
        "consumer": {
            "id": consumer_id or f"c-{review_id}",
            "displayName": display_name,
            "numberOfReviews": 1,
        },
        "isVerified": is_verified,
        "companyReply": (
            {"text": reply_text, "createdAt": iso(reply_at or created_at)} if reply_text else None
        ),
        "referenceId": reference_id,
        "tags": [{"group": group, "value": value} for group, value in tags],
    }
    review.update(extra_fields)
    return review


def _parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _created(review: dict[str, Any]) -> dt.datetime:
    return _parse_time(review["createdAt"])


def _retry_after_text(seconds: float) -> str:
    """Whole seconds as an integer (as HTTP says), shorter waits as a decimal ("0.01")."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class SeenRequest:
    """A request as the server saw it (the key itself is not kept, only whether it matched)."""

    number: int
    path: str
    query: dict[str, str]
    key_ok: bool
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, headers, body = self.server.api.respond(self.path, self.headers.get("apikey"))
        try:
            self.send_response(status)
            # A truncated answer brings its own (larger) Content-Length.
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a read timeout test): nothing to answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests and demos read `ReviewApiServer.requests` instead."""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    api: ReviewApiServer


class ReviewApiServer:
    """The review API on 127.0.0.1 in a background thread; use it as a context manager.

    Requests are numbered from 1 in arrival order. `rate_limit_every=N` answers every Nth request
    429 with `Retry-After: retry_after_s`; `server_errors_at` answers those requests 500;
    `delays_at` ({number: seconds}) answers late; `bodies_at` ({number: text}) answers 200 with
    that body instead of the page; `truncated_at` sends half of the body under the full
    Content-Length, then closes the connection. `perPage` is capped at `page_size_max`.
    """

    def __init__(
        self,
        reviews_by_unit: dict[str, list[dict[str, Any]]],
        api_key: str,
        rate_limit_every: int | None = None,
        retry_after_s: float = 0.01,
        server_errors_at: Iterable[int] = frozenset(),
        page_size_max: int = 100,
        delays_at: dict[int, float] | None = None,
        bodies_at: dict[int, str] | None = None,
        truncated_at: Iterable[int] = frozenset(),
        port: int = 0,
    ) -> None:
        self._reviews = {
            unit: sorted(copy.deepcopy(list(reviews)), key=_created)
            for unit, reviews in reviews_by_unit.items()
        }
        self._api_key = api_key
        self.rate_limit_every = rate_limit_every
        self.retry_after_s = retry_after_s
        self.server_errors_at = set(server_errors_at)
        self.page_size_max = page_size_max
        self.delays_at = dict(delays_at or {})
        self.bodies_at = dict(bodies_at or {})
        self.truncated_at = set(truncated_at)
        self.requests: list[SeenRequest] = []
        self._port = port
        self._lock = threading.Lock()
        # (unit, since) -> positions of the reviews a filtered listing holds; a full sync asks for
        # every page of one listing, so a page costs its own reviews, not the whole list.
        self._listings: dict[tuple[str, dt.datetime | None], list[int]] = {}
        self._httpd: _HttpServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReviewApiServer:
        httpd = _HttpServer((HOST, self._port), _Handler)
        httpd.api = self
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self._url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="review-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> ReviewApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the review API server was never started")
        return self._url

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- data --------------------------------------------------------------------------------

    def upsert_review(self, business_unit_id: str, review: dict[str, Any]) -> None:
        """Add a review, or replace the one with the same id (an edit between runs)."""
        with self._lock:
            reviews = self._reviews.setdefault(business_unit_id, [])
            reviews[:] = [r for r in reviews if r["id"] != review["id"]]
            reviews.append(copy.deepcopy(review))
            reviews.sort(key=_created)
            self._listings.clear()

    def reviews(self, business_unit_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._reviews.get(business_unit_id, []))

    # -- requests ----------------------------------------------------------------------------

    def respond(self, target: str, api_key: str | None) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one GET of `target` (path and query)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        key_ok = api_key == self._api_key
        with self._lock:
            number = len(self.requests) + 1
            self.requests.append(SeenRequest(number, parts.path, query, key_ok, 0))
        delay = self.delays_at.get(number)
        if delay:
            time.sleep(delay)
        status, headers, body = self._answer(number, parts.path, query, key_ok)
        if number in self.truncated_at:
            headers["Content-Length"] = str(len(body))
            body = body[: len(body) // 2]
        with self._lock:
            self.requests[number - 1] = SeenRequest(number, parts.path, query, key_ok, status)
        return status, headers, body

    def _answer(
        self, number: int, path: str, query: dict[str, str], key_ok: bool
    ) -> tuple[int, dict[str, str], bytes]:
        if not key_ok:
            return _error(401, "Unauthorized: a valid apikey header is required")
        if number in self.server_errors_at:
            return _error(500, "Internal server error (scheduled)")
        if self.rate_limit_every and number % self.rate_limit_every == 0:
            status, headers, body = _error(429, "Too many requests")
            headers["Retry-After"] = _retry_after_text(self.retry_after_s)
            return status, headers, body
        if number in self.bodies_at:
            body = self.bodies_at[number].encode("utf-8")
            return 200, {"Content-Type": "application/json; charset=utf-8"}, body
        segments = path.strip("/").split("/")
        if (
            len(segments) != 4
            or segments[:2] != ["v1", "business-units"]
            or segments[3] != "reviews"
        ):
            return _error(404, f"no such endpoint: {path}")
        unit = unquote(segments[2])
        if unit not in self._reviews:
            return _error(404, f"no such business unit: {unit}")
        try:
            page = int(query.get("page", "1"))
            per_page = min(int(query.get("perPage", DEFAULT_PER_PAGE)), self.page_size_max)
            since = _parse_time(query["startDateTime"]) if "startDateTime" in query else None
        except ValueError as err:
            return _error(400, f"bad query parameter: {err}")
        order = query.get("orderBy", "createdat.asc")
        if page < 1 or per_page < 1 or order not in ORDERINGS:
            return _error(400, "page and perPage must be positive, orderBy createdat.asc|desc")
        start = (page - 1) * per_page
        links = []
        base = f"{self.url}/v1/business-units/{quote(unit, safe='')}/reviews"
        with self._lock:
            reviews = self._reviews[unit]
            listing = self._listing(unit, since)
            if order == "createdat.desc":
                positions = listing[::-1][start : start + per_page]
            else:
                positions = listing[start : start + per_page]
            # Serialised under the lock: no copy of the list, and no edit half-way through.
            body_reviews = json.dumps([reviews[i] for i in positions], ensure_ascii=False)
            total = len(listing)
        if page > 1:
            links.append(_link(base, query, page - 1, per_page, "prev-page"))
        if start + per_page < total:
            links.append(_link(base, query, page + 1, per_page, "next-page"))
        body = f'{{"links": {json.dumps(links)}, "reviews": {body_reviews}}}'.encode()
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body

    def _listing(self, unit: str, since: dt.datetime | None) -> list[int]:
        """Positions of the unit's reviews created or updated since `since` (held lock)."""
        key = (unit, since)
        if key not in self._listings:
            if len(self._listings) > 64:
                self._listings.clear()
            reviews = self._reviews[unit]
            self._listings[key] = [
                i for i, r in enumerate(reviews) if since is None or _touched_since(r, since)
            ]
        return self._listings[key]


def _touched_since(review: dict[str, Any], since: dt.datetime) -> bool:
    stamps = [review.get("createdAt"), review.get("updatedAt")]
    return any(s and _parse_time(s) >= since for s in stamps)


def _link(base: str, query: dict[str, str], page: int, per_page: int, rel: str) -> dict[str, str]:
    params = {**query, "page": str(page), "perPage": str(per_page)}
    return {"href": f"{base}?{urlencode(params)}", "method": "GET", "rel": rel}


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"message": message, "errorCode": status}).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8"}, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--reviews", type=Path, required=True, help='JSON: {"<unit id>": [review, ...]}'
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("ROX_REVIEW_API_KEY", "demo-key"),
        help="the key clients must send (default: $ROX_REVIEW_API_KEY or demo-key)",
    )
    parser.add_argument("--rate-limit-every", type=int, default=None)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--page-size-max", type=int, default=100)
    args = parser.parse_args(argv)
    reviews = json.loads(args.reviews.read_text(encoding="utf-8"))
    server = ReviewApiServer(
        reviews,
        args.api_key,
        rate_limit_every=args.rate_limit_every,
        retry_after_s=args.retry_after,
        page_size_max=args.page_size_max,
        port=args.port,
    )
    with server:
        units = ", ".join(sorted(reviews)) or "none"
        print(f"review API on {server.url} (business units: {units}); Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
