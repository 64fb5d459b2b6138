"""Customer reviews: the Trustpilot Business API client and readers of the app stores' exports,
one module per source (`trustpilot`, `google_play`, `app_store`), all normalised to `fields`."""

from ingest.reviews.exports import read_review_export
from ingest.reviews.fields import (
    REVIEW_FIELDS,
    TIMESTAMP_FIELDS,
    ReviewExportError,
    as_utc,
    review_frame,
)
from ingest.reviews.google_play import GOOGLE_PLAY_COLUMNS, epoch_millis, google_play_review_id
from ingest.reviews.trustpilot import (
    ReviewApiAuthError,
    ReviewApiClient,
    ReviewApiError,
    ReviewPage,
    normalise_trustpilot_review,
    redact_url,
)

__all__ = [
    "GOOGLE_PLAY_COLUMNS",
    "REVIEW_FIELDS",
    "TIMESTAMP_FIELDS",
    "ReviewApiAuthError",
    "ReviewApiClient",
    "ReviewApiError",
    "ReviewExportError",
    "ReviewPage",
    "as_utc",
    "epoch_millis",
    "google_play_review_id",
    "normalise_trustpilot_review",
    "read_review_export",
    "redact_url",
    "review_frame",
]
