"""The review sync: pages landed before parsing, a cursor with overlap, resumable after a crash."""

from __future__ import annotations

import datetime as dt
import json
import logging

import duckdb
import pytest

import ingest.review_sync as review_sync
from demo.review_api import ReviewApiServer, iso, make_review
from ingest.review_sync import read_cursor, sync_business_unit
from ingest.reviews import ReviewApiClient, ReviewApiError, as_utc

KEY = "sk-sync-secret-31415"
UNIT = "bu-sync"
T0 = dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(days=30)


def review(i: int, **fields) -> dict:
    fields.setdefault("text", f"review {i}: Lieferung war schnell, danke! 👍")
    return make_review(f"r{i:03d}", T0 + dt.timedelta(hours=i), stars=1 + i % 5, **fields)


class CrashAfter:
    """A client that dies after handing out `pages` pages, as a killed process would."""

    def __init__(self, client: ReviewApiClient, pages: int) -> None:
        self.client = client
        self.pages = pages

    def iter_pages(self, business_unit_id, since=None):
        for number, page in enumerate(self.client.iter_pages(business_unit_id, since), start=1):
            yield page
            if number == self.pages:
                raise RuntimeError(f"crash after page {number}")


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def client(server: ReviewApiServer) -> ReviewApiClient:
    return ReviewApiClient(server.url, KEY, backoff_factor=0)


def counts(con) -> tuple[int, int]:
    return con.execute(
        "select count(*), count(distinct review_id) from raw.trustpilot_reviews"
    ).fetchall()[0]


def ids(con) -> list[str]:
    return [
        r[0]
        for r in con.execute("select review_id from raw.trustpilot_reviews order by 1").fetchall()
    ]


def test_first_sync_lands_every_page_and_review(con) -> None:
    with ReviewApiServer({UNIT: [review(i) for i in range(23)]}, KEY, page_size_max=10) as server:
        report = sync_business_unit(con, client(server), UNIT)
    assert (report.pages, report.reviews_seen, report.reviews_inserted) == (3, 23, 23)
    assert report.since is None and report.cursor_before is None
    assert report.cursor_after == T0 + dt.timedelta(hours=22)
    assert read_cursor(con, UNIT) == T0 + dt.timedelta(hours=22)
    assert counts(con) == (23, 23)
    pages = con.execute(
        "select page_number, reviews_on_page, body, page_url, sync_id "
        "from raw.review_api_pages order by page_number"
    ).fetchall()
    assert [(p[0], p[1]) for p in pages] == [(1, 10), (2, 10), (3, 3)]
    assert [r["id"] for r in json.loads(pages[2][2])["reviews"]] == ["r020", "r021", "r022"]
    assert pages[1][3].endswith("page=2&perPage=10&orderBy=createdat.asc")
    assert {p[4] for p in pages} == {report.sync_id}
    row = con.execute(
        "select stars, text, created_at, tags, provider, page_url, fetched_at "
        "from raw.trustpilot_reviews where review_id = 'r012'"
    ).fetchall()[0]
    assert row[:4] == (
        3,
        "review 12: Lieferung war schnell, danke! 👍",
        dt.datetime(2024, 5, 1, 18),
        "[]",
    )
    assert row[4] == "trustpilot" and "page=2" in row[5] and row[6] is not None


def test_next_run_asks_from_the_cursor_minus_the_overlap_and_stores_no_duplicate(con) -> None:
    with ReviewApiServer({UNIT: [review(i) for i in range(10)]}, KEY) as server:
        sync_business_unit(con, client(server), UNIT)
        for i in range(10, 13):
            server.upsert_review(UNIT, review(i))
        report = sync_business_unit(con, client(server), UNIT, overlap=dt.timedelta(hours=2))
        second_query = server.requests[-1].query
    # Cursor 15:00 (r009) minus 2 h: r007, r008 and r009 come again, and are skipped.
    assert second_query["startDateTime"] == "2024-05-01T13:00:00Z"
    assert report.since == T0 + dt.timedelta(hours=7)
    assert (report.reviews_seen, report.reviews_inserted, report.reviews_already_stored) == (
        6,
        3,
        3,
    )
    assert report.cursor_after == T0 + dt.timedelta(hours=12)
    assert counts(con) == (13, 13)


def test_crash_after_page_k_then_resume_has_no_gap_and_no_duplicate(con) -> None:
    data = [review(i) for i in range(35)]
    with ReviewApiServer({UNIT: data}, KEY, page_size_max=10) as server:
        with pytest.raises(RuntimeError, match="crash after page 2"):
            sync_business_unit(con, CrashAfter(client(server), pages=2), UNIT)
        assert counts(con) == (20, 20)
        # The cursor is that of the last committed page: r019.
        assert read_cursor(con, UNIT) == T0 + dt.timedelta(hours=19)
        resumed = sync_business_unit(con, client(server), UNIT)
        again = sync_business_unit(con, client(server), UNIT)
    assert resumed.since == T0 + dt.timedelta(hours=18)
    assert resumed.reviews_inserted == 15
    assert again.reviews_inserted == 0
    assert counts(con) == (35, 35)
    assert ids(con) == [f"r{i:03d}" for i in range(35)]


def test_an_old_review_edited_on_page_one_does_not_make_a_crash_skip_later_pages(con) -> None:
    # r000 is edited after every new review: the API still serves it first (createdAt order).
    # A cursor taken from updated times would jump past r012..r019 when the run dies on page 1.
    with ReviewApiServer({UNIT: [review(i) for i in range(10)]}, KEY, page_size_max=4) as server:
        sync_business_unit(con, client(server), UNIT, overlap=dt.timedelta(0))
        for i in range(10, 20):
            server.upsert_review(UNIT, review(i))
        server.upsert_review(UNIT, review(0, updated_at=T0 + dt.timedelta(days=5), text="edited"))
        with pytest.raises(RuntimeError):
            sync_business_unit(
                con, CrashAfter(client(server), pages=1), UNIT, overlap=dt.timedelta(0)
            )
        sync_business_unit(con, client(server), UNIT, overlap=dt.timedelta(0))
    assert sorted(set(ids(con))) == [f"r{i:03d}" for i in range(20)]
    assert counts(con) == (21, 20)  # r000 twice: the original and the edit


def test_a_page_is_landed_before_its_reviews_and_a_failed_store_is_redone(
    con, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_store = review_sync._store_page
    calls = []

    def store_fails_on_page_two(con, unit, page, cursor, now):
        calls.append(page.page_number)
        if page.page_number == 2:
            raise duckdb.IOException("disk full while writing reviews")
        return real_store(con, unit, page, cursor, now)

    with ReviewApiServer({UNIT: [review(i) for i in range(25)]}, KEY, page_size_max=10) as server:
        monkeypatch.setattr(review_sync, "_store_page", store_fails_on_page_two)
        with pytest.raises(duckdb.IOException):
            sync_business_unit(con, client(server), UNIT)
        # Page 2 is landed (committed) although its reviews are not.
        landed = con.execute("select page_number from raw.review_api_pages order by 1").fetchall()
        assert [r[0] for r in landed] == [1, 2]
        assert counts(con) == (10, 10)
        monkeypatch.setattr(review_sync, "_store_page", real_store)
        sync_business_unit(con, client(server), UNIT)
    assert calls == [1, 2]
    assert counts(con) == (25, 25)


def test_an_edited_review_is_stored_as_a_second_version(con) -> None:
    with ReviewApiServer({UNIT: [review(i) for i in range(5)]}, KEY) as server:
        sync_business_unit(con, client(server), UNIT)
        edited_at = T0 + dt.timedelta(days=2)
        server.upsert_review(
            UNIT, review(1, updated_at=edited_at, text="Doch nicht so gut. très bien?")
        )
        report = sync_business_unit(con, client(server), UNIT)
        third = sync_business_unit(con, client(server), UNIT)
    assert report.reviews_inserted == 1 and third.reviews_inserted == 0
    versions = con.execute(
        "select updated_at, text from raw.trustpilot_reviews where review_id = 'r001' "
        "order by updated_at nulls first"
    ).fetchall()
    assert versions == [
        (None, "review 1: Lieferung war schnell, danke! 👍"),
        (edited_at.replace(tzinfo=None), "Doch nicht so gut. très bien?"),
    ]
    assert counts(con) == (6, 5)


def test_the_key_is_never_written_to_a_table_or_a_log(
    con, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = [review(i, tags=[("source", "email")]) for i in range(12)]
    with ReviewApiServer(
        {UNIT: data}, KEY, page_size_max=5, rate_limit_every=3, server_errors_at={5}
    ) as server:
        sync_business_unit(con, client(server), UNIT)
        assert 429 in [s.status for s in server.requests]
    tables = ["raw.review_api_pages", "raw.trustpilot_reviews", "raw.review_sync_cursor"]
    dump = "".join(str(con.execute(f"select * from {t}").fetchall()) for t in tables)
    assert "r011" in dump and KEY not in dump
    assert "review sync" in caplog.text and KEY not in caplog.text
    tags = con.execute("select distinct tags from raw.trustpilot_reviews").fetchall()
    assert [json.loads(t[0]) for t in tags] == [["source:email"]]


def test_an_unparseable_page_is_landed_then_the_sync_fails(con) -> None:
    with ReviewApiServer(
        {UNIT: [review(i) for i in range(15)]}, KEY, page_size_max=10, bodies_at={2: "{broken"}
    ) as server:
        with pytest.raises(ReviewApiError, match="page 2"):
            sync_business_unit(con, client(server), UNIT)
        pages = con.execute(
            "select page_number, reviews_on_page, body from raw.review_api_pages order by 1"
        ).fetchall()
        assert pages[1] == (2, None, "{broken")
        assert counts(con) == (10, 10)
        sync_business_unit(con, client(server), UNIT)  # the API mends: nothing is lost
    assert counts(con) == (15, 15)


def test_the_cursor_never_passes_now(con) -> None:
    # A server clock ahead of ours: the newest review was "created" tomorrow.
    now = T0 + dt.timedelta(hours=3)
    with ReviewApiServer({UNIT: [review(i) for i in range(6)]}, KEY) as server:
        report = sync_business_unit(con, client(server), UNIT, now=now)
    assert report.cursor_after == now
    assert iso(read_cursor(con, UNIT)) == "2024-05-01T09:00:00.000Z"


def test_a_bad_review_is_rejected_with_its_page_and_position_and_the_cursor_moves_on(con) -> None:
    data = [review(i) for i in range(5)]
    data[2]["stars"] = "five"
    with ReviewApiServer({UNIT: data}, KEY, page_size_max=2) as server:
        report = sync_business_unit(con, client(server), UNIT, now=NOW)
    assert report.reviews_inserted == 4 and report.reviews_rejected == 1
    rejected = con.execute(
        "select source, file_name, line_number, field, value from raw.rejected_rows"
    ).fetchall()
    ((source, page_url, position, field, value),) = rejected
    assert (source, position, field, value) == ("trustpilot_reviews", 1, "stars", "five")
    assert "page=2" in page_url and "apikey" not in page_url
    assert read_cursor(con, UNIT) == max(as_utc(r["createdAt"]) for r in data)


def test_a_page_whose_body_is_already_landed_is_not_stored_again(con) -> None:
    with ReviewApiServer({UNIT: [review(i) for i in range(3)]}, KEY) as server:
        (page,) = list(client(server).iter_pages(UNIT))
    review_sync.ensure_review_tables(con)
    assert review_sync._land_page(con, UNIT, page, "sync-1", len(page.reviews)) is True
    assert review_sync._land_page(con, UNIT, page, "sync-2", len(page.reviews)) is False
    assert con.execute("select count(*) from raw.review_api_pages").fetchall() == [(1,)]
