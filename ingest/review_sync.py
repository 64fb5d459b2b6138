"""Incremental, resumable sync of a business unit's reviews from the review API into DuckDB.

Each page is landed in `raw.review_api_pages` and committed before its reviews are written to
`raw.trustpilot_reviews`; the page's reviews and the advanced cursor are then committed
together. A run asks for reviews created or updated since the committed cursor minus an overlap
window, and skips a review version already stored (same review id and updated_at, or created_at
if never updated), so a crash after any page, then a re-run, leaves neither a gap nor a
duplicate. A later edit of a review is a new version: raw keeps every version, staging keeps the
latest.

The cursor is the latest *created* time committed. The API pages in createdAt order, so every
review created up to the cursor has been read; an edit is served again because the API filters
on createdAt OR updatedAt. An updated time cannot be the cursor: an old review edited a minute
ago comes on the first page, and after a crash the pages not read yet would be skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pandas as pd

from ingest.load_log import ensure_bookkeeping_tables, record_rejects
from ingest.reviews import (
    REVIEW_FIELDS,
    TIMESTAMP_FIELDS,
    ReviewApiError,
    ReviewPage,
    as_utc,
    redact_url,
)

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
PAGES_TABLE = f"{RAW_SCHEMA}.review_api_pages"
REVIEWS_TABLE = f"{RAW_SCHEMA}.trustpilot_reviews"
CURSOR_TABLE = f"{RAW_SCHEMA}.review_sync_cursor"
DEFAULT_OVERLAP = dt.timedelta(hours=1)
REVIEWS_SOURCE = "trustpilot_reviews"  # as raw.rejected_rows names it
REJECT_FIELDS = ["line_number", "field", "reason", "value", "raw_text"]

_FIELD_TYPES = {
    "provider": "varchar not null",
    "business_unit_id": "varchar not null",
    "review_id": "varchar not null",
    "stars": "integer not null",
    "created_at": "timestamp not null",
    "updated_at": "timestamp",
    "experienced_at": "timestamp",
    "company_reply_at": "timestamp",
    "is_verified": "boolean",
    "tags": "varchar",  # a JSON list of text
    "extra": "varchar",  # a JSON object
}
# The normalised review fields, then where the version was read.
REVIEW_COLUMNS = tuple((name, _FIELD_TYPES.get(name, "varchar")) for name in REVIEW_FIELDS) + (
    ("page_url", "varchar not null"),
    ("fetched_at", "timestamp not null"),
)


class PageSource(Protocol):
    """What the sync needs of a client: `ReviewApiClient` is one."""

    def iter_pages(
        self, business_unit_id: str, since: dt.datetime | None = None
    ) -> Iterable[ReviewPage]: ...


@dataclass
class SyncReport:
    """What one sync of a business unit did. Times are UTC."""

    business_unit_id: str
    sync_id: str
    since: dt.datetime | None
    cursor_before: dt.datetime | None
    cursor_after: dt.datetime | None
    pages: int = 0
    reviews_seen: int = 0
    reviews_inserted: int = 0
    reviews_rejected: int = 0
    pages_already_landed: int = 0

    @property
    def reviews_already_stored(self) -> int:
        return self.reviews_seen - self.reviews_inserted


def ensure_review_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables of the review sync if they do not exist (timestamps in UTC)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {PAGES_TABLE} (
            business_unit_id varchar not null,
            page_url varchar not null,
            page_number integer not null,
            fetched_at timestamp not null,
            body varchar not null,
            reviews_on_page integer,
            sync_id varchar not null
        )
        """
    )
    con.execute(f"alter table {PAGES_TABLE} add column if not exists body_sha256 varchar")
    ensure_bookkeeping_tables(con)
    columns = ",\n".join(f"{name} {kind}" for name, kind in REVIEW_COLUMNS)
    con.execute(f"create table if not exists {REVIEWS_TABLE} (\n{columns}\n)")
    con.execute(
        f"""
        create table if not exists {CURSOR_TABLE} (
            business_unit_id varchar not null,
            cursor timestamp not null,
            updated_at timestamp not null
        )
        """
    )


def _naive_utc(value: Any) -> dt.datetime | None:
    """DuckDB `timestamp` values are naive: UTC by convention in the whole warehouse."""
    moment = as_utc(value)
    return moment.replace(tzinfo=None) if moment else None


def read_cursor(con: duckdb.DuckDBPyConnection, business_unit_id: str) -> dt.datetime | None:
    """The committed cursor of a business unit (UTC-aware), None before its first page."""
    rows = con.execute(
        f"select max(cursor) from {CURSOR_TABLE} where business_unit_id = ?", [business_unit_id]
    ).fetchall()
    return as_utc(rows[0][0]) if rows and rows[0][0] is not None else None


def _land_page(
    con: duckdb.DuckDBPyConnection,
    business_unit_id: str,
    page: ReviewPage,
    sync_id: str,
    reviews_on_page: int | None,
) -> bool:
    """Land the page's raw body; False when the same body was landed before (not stored again).

    Its rejected reviews go to raw.rejected_rows (page URL, position, field, value) once.
    """
    body_sha256 = hashlib.sha256(page.body_text.encode("utf-8")).hexdigest()
    con.begin()
    try:
        landed = con.execute(
            f"select count(*) from {PAGES_TABLE} where business_unit_id = ? and body_sha256 = ?",
            [business_unit_id, body_sha256],
        ).fetchall()[0][0]
        if not landed:
            con.execute(
                f"""
                insert into {PAGES_TABLE} (business_unit_id, page_url, page_number, fetched_at,
                    body, reviews_on_page, sync_id, body_sha256)
                values (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    business_unit_id,
                    redact_url(page.url),
                    page.page_number,
                    _naive_utc(page.fetched_at),
                    page.body_text,
                    reviews_on_page,
                    sync_id,
                    body_sha256,
                ],
            )
            rejects = pd.DataFrame(page.rejects, columns=REJECT_FIELDS)
            record_rejects(
                con, REVIEWS_SOURCE, redact_url(page.url), body_sha256, rejects,
                _naive_utc(page.fetched_at),
            )  # fmt: skip
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return not landed


def _review_frame(reviews: list[dict[str, Any]], page: ReviewPage) -> pd.DataFrame:
    """The page's reviews as one frame in the raw table's columns (one insert per page)."""
    frame = pd.DataFrame(reviews, columns=list(REVIEW_FIELDS))
    for name in TIMESTAMP_FIELDS:
        frame[name] = pd.to_datetime(frame[name], utc=True).dt.tz_localize(None)
    frame["tags"] = [json.dumps(list(t or []), ensure_ascii=False) for t in frame["tags"]]
    frame["page_url"] = redact_url(page.url)
    frame["fetched_at"] = _naive_utc(page.fetched_at)
    return frame


def _version(review: dict[str, Any]) -> tuple[str, str, dt.datetime | None]:
    return (
        review["provider"],
        review["review_id"],
        _naive_utc(review["updated_at"] or review["created_at"]),
    )


def _store_page(
    con: duckdb.DuckDBPyConnection,
    business_unit_id: str,
    page: ReviewPage,
    cursor: dt.datetime | None,
    now: dt.datetime,
) -> tuple[int, dt.datetime | None]:
    """Insert the page's new review versions and advance the cursor, in one transaction."""
    new: dict[tuple[str, str, dt.datetime | None], dict[str, Any]] = {}
    for review in page.reviews:
        new.setdefault(_version(review), review)
    created = [as_utc(r["created_at"]) for r in page.reviews if r["created_at"] is not None]
    # Never past `now`: a server clock ahead of ours must not make us skip reviews.
    page_cursor = min(max(created), now) if created else None
    candidates = [c for c in (cursor, page_cursor) if c is not None]
    new_cursor = max(candidates) if candidates else None
    con.begin()
    try:
        stored = con.execute(
            f"""
            select provider, review_id, coalesce(updated_at, created_at) from {REVIEWS_TABLE}
            where business_unit_id = ? and review_id in (select unnest(?::varchar[]))
            """,
            [business_unit_id, sorted({r["review_id"] for r in page.reviews})],
        ).fetchall()
        for key in stored:
            new.pop(key, None)
        if new:
            con.register("rox_review_page", _review_frame(list(new.values()), page))
            try:
                con.execute(f"insert into {REVIEWS_TABLE} by name select * from rox_review_page")
            finally:
                con.unregister("rox_review_page")
        if new_cursor is not None:
            updated = con.execute(
                f"update {CURSOR_TABLE} set cursor = ?, updated_at = ? where business_unit_id = ?",
                [_naive_utc(new_cursor), _naive_utc(now), business_unit_id],
            ).fetchall()[0][0]
            if not updated:
                con.execute(
                    f"insert into {CURSOR_TABLE} values (?, ?, ?)",
                    [business_unit_id, _naive_utc(new_cursor), _naive_utc(now)],
                )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(new), new_cursor


def sync_business_unit(
    con: duckdb.DuckDBPyConnection,
    client: PageSource,
    business_unit_id: str,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    now: dt.datetime | None = None,
) -> SyncReport:
    """Fetch the reviews created or updated since the cursor minus `overlap`, page by page.

    `now` (default: the clock) stamps the cursor and bounds it. A page the API sent but that
    cannot be parsed is still landed (reviews_on_page null) before the error is raised.
    """
    if overlap < dt.timedelta(0):
        raise ValueError(f"overlap must not be negative, got {overlap}")
    ensure_review_tables(con)
    now = as_utc(now) or dt.datetime.now(dt.UTC)
    cursor = read_cursor(con, business_unit_id)
    since = cursor - overlap if cursor is not None else None
    report = SyncReport(business_unit_id, uuid.uuid4().hex, since, cursor, cursor)
    log.info(
        "review sync %s of business unit %s: since %s",
        report.sync_id,
        business_unit_id,
        since.isoformat() if since else "the beginning",
    )
    try:
        for page in client.iter_pages(business_unit_id, since=since):
            new_body = _land_page(con, business_unit_id, page, report.sync_id, len(page.reviews))
            inserted, cursor = _store_page(con, business_unit_id, page, cursor, now)
            report.pages += 1
            report.pages_already_landed += not new_body
            report.reviews_seen += len(page.reviews)
            report.reviews_inserted += inserted
            report.reviews_rejected += len(page.rejects) if new_body else 0
            report.cursor_after = cursor
            log.info(
                "review sync %s: page %d landed, %d reviews, %d new versions",
                report.sync_id,
                page.page_number,
                len(page.reviews),
                inserted,
            )
    except ReviewApiError as err:
        if err.page is not None:
            _land_page(con, business_unit_id, err.page, report.sync_id, None)
        raise
    log.info(
        "review sync %s done: %d pages, %d reviews, %d new versions, cursor %s",
        report.sync_id,
        report.pages,
        report.reviews_seen,
        report.reviews_inserted,
        report.cursor_after.isoformat() if report.cursor_after else None,
    )
    return report
