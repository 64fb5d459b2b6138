"""The raw review tables' checks: the blocking quality gates (suite `raw_reviews`) and, per
export source, the WARN check `failed_files`."""

from expectations.raw_reviews import RAW_REVIEW_BATCHES, RAW_REVIEW_SUITE, SUITE_NAME
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES
from orchestration.quality.gates import build_raw_suite_checks
from orchestration.shared.failed_files import build_failed_files_check

review_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_REVIEW_SUITE, RAW_REVIEW_BATCHES)
review_failed_files_checks = [build_failed_files_check(s.name) for s in REVIEW_EXPORT_SOURCES]
