"""The blocking quality gates of the raw review tables (suite `raw_reviews`)."""

from expectations.raw_reviews import RAW_REVIEW_BATCHES, RAW_REVIEW_SUITE, SUITE_NAME
from orchestration.quality.gates import build_raw_suite_checks

review_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_REVIEW_SUITE, RAW_REVIEW_BATCHES)
