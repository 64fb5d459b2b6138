"""The review API client against the local review API server and against `responses` mocks."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from demo.review_api import ReviewApiServer, make_review
from ingest.reviews import (
    REVIEW_FIELDS,
    ReviewApiAuthError,
    ReviewApiClient,
    ReviewApiError,
)

KEY = "sk-test-7f3a9c1e5b"
UNIT = "bu-4711"
T0 = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


def reviews(n: int, **fields) -> list[dict]:
    return [
        make_review(f"r{i:03d}", T0 + dt.timedelta(hours=i), stars=1 + i % 5, **fields)
        for i in range(n)
    ]


def client(url: str, **kwargs) -> ReviewApiClient:
    kwargs.setdefault("backoff_factor", 0)
    return ReviewApiClient(url, KEY, **kwargs)


# -- against the local server ----------------------------------------------------------------


def test_pages_are_followed_in_order_with_the_wire_parameters() -> None:
    with ReviewApiServer({UNIT: reviews(25)}, KEY, page_size_max=10) as server:
        pages = list(client(server.url).iter_pages(UNIT))
        seen = server.requests
    assert [p.page_number for p in pages] == [1, 2, 3]
    assert [len(p.reviews) for p in pages] == [10, 10, 5]
    assert [r["review_id"] for p in pages for r in p.reviews] == [f"r{i:03d}" for i in range(25)]
    assert all(p.status == 200 and p.fetched_at.tzinfo is not None for p in pages)
    # The raw body is kept as sent, for landing.
    assert [r["id"] for r in json.loads(pages[1].body_text)["reviews"]][0] == "r010"
    first = seen[0].query
    assert seen[0].path == f"/v1/business-units/{UNIT}/reviews"
    assert first == {"page": "1", "perPage": "100", "orderBy": "createdat.asc"}
    assert [s.query["page"] for s in seen] == ["1", "2", "3"]
    assert all(s.key_ok for s in seen)


def test_since_is_sent_as_start_date_time_and_edited_reviews_come_back() -> None:
    data = reviews(10)
    data[0]["updatedAt"] = "2024-03-01T16:30:00.000Z"  # an old review, edited later
    with ReviewApiServer({UNIT: data}, KEY) as server:
        found = list(client(server.url).iter_reviews(UNIT, since=T0 + dt.timedelta(hours=7.5)))
        query = server.requests[0].query
    assert query["startDateTime"] == "2024-03-01T15:30:00Z"
    assert [r["review_id"] for r in found] == ["r000", "r008", "r009"]
    assert found[0]["updated_at"] == dt.datetime(2024, 3, 1, 16, 30, tzinfo=dt.UTC)


def test_normalised_fields_keep_unknown_fields_in_extra_but_not_the_name() -> None:
    review = make_review(
        "tp-1",
        T0,
        stars=4,
        title="Schnell",
        text="Lieferung war schnell, danke! 👍",
        language="de",
        updated_at=T0 + dt.timedelta(days=1),
        experienced_at=T0 - dt.timedelta(days=3),
        consumer_id="cons-9",
        display_name="Jürgen Privat",
        reply_text="Merci, très bien!",
        reply_at=T0 + dt.timedelta(hours=2),
        reference_id="order-77",
        tags=[("campaign", "spring"), ("store", "berlin")],
        source="InvitationApi",
        countsTowardsTrustScore=True,
    )
    review["consumer"]["countryCode"] = "DE"
    with ReviewApiServer({UNIT: [review]}, KEY) as server:
        (got,) = list(client(server.url).iter_reviews(UNIT))
    assert tuple(got) == REVIEW_FIELDS
    assert got["provider"] == "trustpilot" and got["business_unit_id"] == UNIT
    assert (got["review_id"], got["stars"], got["language"]) == ("tp-1", 4, "de")
    assert got["text"] == "Lieferung war schnell, danke! 👍"
    assert got["company_reply_text"] == "Merci, très bien!"
    assert got["created_at"] == T0 and got["created_at"].tzinfo == dt.UTC
    assert got["updated_at"] == T0 + dt.timedelta(days=1)
    assert got["experienced_at"] == T0 - dt.timedelta(days=3)
    assert got["company_reply_at"] == T0 + dt.timedelta(hours=2)
    assert (got["consumer_id"], got["is_verified"], got["reference_id"]) == (
        "cons-9",
        True,
        "order-77",
    )
    assert got["tags"] == ["campaign:spring", "store:berlin"]
    extra = json.loads(got["extra"])
    assert extra == {
        "source": "InvitationApi",
        "countsTowardsTrustScore": True,
        "consumer": {"numberOfReviews": 1, "countryCode": "DE"},
    }
    assert "Jürgen" not in got["extra"]


def test_wrong_key_fails_at_once_without_showing_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    other_key = "sk-wrong-key-0000"
    with ReviewApiServer({UNIT: reviews(3)}, KEY) as server:
        api = ReviewApiClient(server.url, other_key, backoff_factor=0)
        with pytest.raises(ReviewApiAuthError) as raised:
            list(api.iter_pages(UNIT))
        assert server.request_count == 1  # no retry
    message = str(raised.value)
    assert UNIT in message and "401" in message
    assert other_key not in message and other_key not in repr(api)
    assert other_key not in caplog.text
    assert "127.0.0.1" in caplog.text  # the log did see the request


def test_missing_key_is_an_auth_error_too() -> None:
    with (
        ReviewApiServer({UNIT: reviews(1)}, KEY) as server,
        pytest.raises(ReviewApiAuthError, match="HTTP 401"),
    ):
        list(ReviewApiClient(server.url).iter_pages(UNIT))


def test_429_waits_for_retry_after_then_succeeds() -> None:
    wait = 0.15
    data = reviews(12)
    with ReviewApiServer(
        {UNIT: data}, KEY, rate_limit_every=2, retry_after_s=wait, page_size_max=5
    ) as server:
        started = time.monotonic()
        found = list(client(server.url).iter_reviews(UNIT))
        elapsed = time.monotonic() - started
        statuses = [s.status for s in server.requests]
    # Requests 2 and 4 are refused; each is retried after the Retry-After wait.
    assert statuses == [200, 429, 200, 429, 200]
    assert len(found) == 12 and len({r["review_id"] for r in found}) == 12
    assert elapsed >= 2 * wait


def test_500_then_success() -> None:
    with ReviewApiServer({UNIT: reviews(3)}, KEY, server_errors_at={1}) as server:
        found = list(client(server.url).iter_reviews(UNIT))
        statuses = [s.status for s in server.requests]
    assert statuses == [500, 200]
    assert [r["review_id"] for r in found] == ["r000", "r001", "r002"]


def test_exhausted_retries_name_the_url_and_page() -> None:
    with ReviewApiServer(
        {UNIT: reviews(30)}, KEY, server_errors_at={2, 3, 4}, page_size_max=10
    ) as server:
        pages = client(server.url, max_tries=3).iter_pages(UNIT)
        first = next(pages)
        with pytest.raises(ReviewApiError) as raised:
            next(pages)
        assert server.request_count == 4
    assert len(first.reviews) == 10
    message = str(raised.value)
    assert "page=2" in message and "page 2" in message and "HTTP 500" in message
    assert "3 tries" in message and KEY not in message


def test_read_timeout_is_retried() -> None:
    with ReviewApiServer({UNIT: reviews(2)}, KEY, delays_at={1: 0.6}) as server:
        started = time.monotonic()
        found = list(client(server.url, timeout=(2, 0.15), max_tries=2).iter_reviews(UNIT))
        elapsed = time.monotonic() - started
        assert server.request_count == 2
    assert len(found) == 2
    assert 0.15 <= elapsed < 0.6  # gave up on the slow answer rather than waiting for it


def test_read_timeout_on_every_try_fails_naming_the_page() -> None:
    with ReviewApiServer({UNIT: reviews(2)}, KEY, delays_at={1: 0.5, 2: 0.5}) as server:
        api = client(server.url, timeout=(2, 0.1), max_tries=2)
        with pytest.raises(ReviewApiError) as raised:
            list(api.iter_pages(UNIT))
    assert "page 1" in str(raised.value) and "/reviews?page=1" in str(raised.value)
    assert "timed out" in str(raised.value).lower()


def test_malformed_json_names_the_url_and_page_and_keeps_the_body() -> None:
    with (
        ReviewApiServer(
            {UNIT: reviews(15)}, KEY, page_size_max=10, bodies_at={2: '{"reviews": [oops'}
        ) as server,
        pytest.raises(ReviewApiError) as raised,
    ):
        list(client(server.url).iter_pages(UNIT))
    err = raised.value
    assert "page 2" in str(err) and "page=2" in str(err) and "not valid JSON" in str(err)
    assert err.page_number == 2 and err.page is not None
    assert err.page.body_text == '{"reviews": [oops' and err.page.reviews == []


def test_page_without_reviews_is_an_error() -> None:
    with (
        ReviewApiServer({UNIT: reviews(3)}, KEY, bodies_at={1: '{"links": []}'}) as server,
        pytest.raises(ReviewApiError, match=r"page 1 .*no 'reviews' list"),
    ):
        list(client(server.url).iter_pages(UNIT))


def test_a_bad_review_is_rejected_with_its_position_field_and_value() -> None:
    data = reviews(3)
    data[1]["stars"] = 9
    with ReviewApiServer({UNIT: data}, KEY) as server:
        (page,) = list(client(server.url).iter_pages(UNIT))
    assert [r["review_id"] for r in page.reviews] == [data[0]["id"], data[2]["id"]]
    (reject,) = page.rejects
    assert (reject["line_number"], reject["field"], reject["value"]) == (2, "stars", "9")
    assert json.loads(reject["raw_text"])["id"] == "r001"


# -- against `responses` mocks ----------------------------------------------------------------

BASE = "https://api.example.test"
PAGE_URL = f"{BASE}/v1/business-units/{UNIT}/reviews"


def page_params(page: int, per_page: int = 100) -> dict[str, str]:
    return {"page": str(page), "perPage": str(per_page), "orderBy": "createdat.asc"}


def body(review_list: list[dict], next_page: int | None = None) -> dict:
    links = []
    if next_page:
        query = "&".join(f"{k}={v}" for k, v in page_params(next_page).items())
        links.append({"href": f"{PAGE_URL}?{query}", "method": "GET", "rel": "next-page"})
    return {"links": links, "reviews": review_list}


def mock(rsps, page: int, **kwargs) -> None:
    rsps.add(
        responses.GET,
        PAGE_URL,
        match=[
            matchers.query_param_matcher(page_params(page)),
            matchers.header_matcher({"apikey": KEY}),
        ],
        **kwargs,
    )


@responses.activate
def test_mocked_paging_follows_next_page_links() -> None:
    data = reviews(5)
    mock(responses, 1, json=body(data[:2], next_page=2))
    mock(responses, 2, json=body(data[2:4], next_page=3))
    mock(responses, 3, json=body(data[4:]))
    pages = list(client(BASE).iter_pages(UNIT))
    assert [len(p.reviews) for p in pages] == [2, 2, 1]
    assert pages[2].url.endswith("page=3&perPage=100&orderBy=createdat.asc")
    assert len(responses.calls) == 3


@responses.activate
def test_mocked_401_and_403_fail_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for status in (401, 403):
        responses.reset()
        mock(responses, 1, status=status, json={"message": "nope"})
        with pytest.raises(ReviewApiAuthError) as raised:
            list(client(BASE).iter_pages(UNIT))
        assert f"HTTP {status}" in str(raised.value) and UNIT in str(raised.value)
        assert KEY not in str(raised.value)
        assert len(responses.calls) == 1
    assert KEY not in caplog.text


@responses.activate
def test_mocked_429_then_success() -> None:
    mock(responses, 1, status=429, headers={"Retry-After": "0"}, json={"message": "slow"})
    mock(responses, 1, json=body(reviews(2)))
    found = list(client(BASE).iter_reviews(UNIT))
    assert [c.response.status_code for c in responses.calls] == [429, 200]
    assert len(found) == 2


@responses.activate
def test_mocked_500_then_success_and_500s_to_the_end() -> None:
    mock(responses, 1, status=500)
    mock(responses, 1, json=body(reviews(1)))
    assert len(list(client(BASE).iter_reviews(UNIT))) == 1
    responses.reset()
    mock(responses, 1, status=503)
    with pytest.raises(ReviewApiError, match=r"page 1 .*HTTP 503 after 4 tries"):
        list(client(BASE, max_tries=4).iter_reviews(UNIT))
    assert len(responses.calls) == 4


@responses.activate
@pytest.mark.parametrize("error", [requests.ReadTimeout, requests.ConnectTimeout])
def test_mocked_timeouts_name_the_page(error: type[Exception]) -> None:
    mock(responses, 1, body=error("too slow"))
    with pytest.raises(ReviewApiError) as raised:
        list(client(BASE).iter_reviews(UNIT))
    assert "page 1" in str(raised.value) and PAGE_URL in str(raised.value)
    assert isinstance(raised.value.__cause__, error)


@responses.activate
def test_mocked_malformed_json_and_missing_reviews() -> None:
    mock(responses, 1, json=body(reviews(1), next_page=2))
    mock(responses, 2, body="<html>gateway</html>")
    with pytest.raises(ReviewApiError, match=r"page=2&.*\(page 2 .*not valid JSON"):
        list(client(BASE).iter_pages(UNIT))
    responses.reset()
    mock(responses, 1, json={"links": [], "reviewz": []})
    with pytest.raises(ReviewApiError, match=r"page=1&.*\(page 1 .*no 'reviews' list"):
        list(client(BASE).iter_pages(UNIT))


@responses.activate
def test_next_page_on_another_host_is_refused_and_keys_are_dropped_from_links() -> None:
    evil = body(reviews(1))
    evil["links"] = [{"rel": "next-page", "href": "https://elsewhere.test/v1/steal?page=2"}]
    mock(responses, 1, json=evil)
    with pytest.raises(ReviewApiError, match="leaves https://api.example.test"):
        list(client(BASE).iter_pages(UNIT))
    responses.reset()
    leaky = body(reviews(1))
    leaky["links"] = [{"rel": "next-page", "href": f"{PAGE_URL}?page=2&apikey={KEY}"}]
    mock(responses, 1, json=leaky)
    responses.add(
        responses.GET, PAGE_URL, match=[matchers.query_param_matcher({"page": "2"})], json=body([])
    )
    pages = list(client(BASE).iter_pages(UNIT))
    assert [p.url for p in pages][1] == f"{PAGE_URL}?page=2"
    assert all(KEY not in c.request.url for c in responses.calls)


FIXTURE_PAGE = (
    Path(__file__).parents[2]
    / "fixtures/vendor/trustpilot/business-units_5f8a3c2e9b1d4a0001c7e2f4_reviews_page1.json"
)


@responses.activate
def test_a_trustpilot_page_with_one_bad_review_loads_the_others() -> None:
    """MANIFEST file 17: review 3 has "stars": "five"."""
    base, unit = "https://api.trustpilot.com", "5f8a3c2e9b1d4a0001c7e2f4"
    url = f"{base}/v1/business-units/{unit}/reviews"
    responses.add(responses.GET, url, body=FIXTURE_PAGE.read_text(),
                  match=[matchers.query_param_matcher(page_params(1))])  # fmt: skip
    empty = {"links": [], "reviews": []}
    responses.add(responses.GET, url, json=empty,
                  match=[matchers.query_param_matcher(page_params(2, 5))])  # fmt: skip
    pages = list(ReviewApiClient(base, KEY, backoff_factor=0).iter_pages(unit))
    assert [r["review_id"][-4:] for r in pages[0].reviews] == ["0e11", "4a22", "ac44", "bd55"]
    (reject,) = pages[0].rejects
    assert (reject["line_number"], reject["field"], reject["value"]) == (3, "stars", "five")
    assert json.loads(reject["raw_text"])["id"] == "6633c90ed37a5b1f2e6c9b33"
    assert len(pages) == 2  # the sync moves on past the bad review
