"""The Great Expectations suite on the raw review tables: ids present, stars 1-5, timestamps
valid and not in the future, each review version once per load."""

from __future__ import annotations

from expectations.scope import RawBatches
from expectations.spec import Expect, not_null, unique_together, valid_date

SUITE_NAME = "raw_reviews"


def _stars_1_to_5() -> Expect:
    return Expect(
        "ExpectColumnValuesToBeBetween", {"column": "stars", "min_value": 1, "max_value": 5}
    )


def _suite(version_key: tuple[str, ...]) -> list[Expect]:
    return [
        not_null("provider"),
        not_null("review_id"),
        not_null("stars"),
        _stars_1_to_5(),
        not_null("created_at"),
        valid_date("created_at"),
        valid_date("updated_at"),
        unique_together(*version_key),
    ]


RAW_REVIEW_SUITE: dict[str, list[Expect]] = {
    # The API table keeps every version of a review; exports are one row per review and file.
    "trustpilot_reviews": _suite(("provider", "review_id", "created_at", "updated_at")),
    "google_play_reviews": _suite(("review_id", "_file_sha256")),
    "app_store_reviews": _suite(("review_id", "_file_sha256")),
}

# How the review tables' rows group into the batches a gate validates: a Google Play export is a
# CSV file; an App Store export is JSON (a row is named by its position in the file); the API
# lands page by page. The sync stores a review version only once, so version uniqueness within
# the new pages is what can break.
RAW_REVIEW_BATCHES = {
    "trustpilot_reviews": RawBatches(
        batch_sql="page_url || ' @ ' || cast(fetched_at as varchar)",
        file_sql="page_url",
        csv_files=False,
    ),
    "app_store_reviews": RawBatches(csv_files=False),
}
