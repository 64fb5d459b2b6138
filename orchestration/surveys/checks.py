"""The raw survey answers' checks: the blocking quality gate (suite `raw_surveys`) and the WARN
check `failed_files`."""

from expectations.raw_surveys import RAW_SURVEY_BATCHES, RAW_SURVEY_SUITE, SUITE_NAME
from ingest.survey_loader import SOURCE
from orchestration.quality.gates import build_raw_suite_checks
from orchestration.shared.failed_files import build_failed_files_check

survey_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_SURVEY_SUITE, RAW_SURVEY_BATCHES)
survey_failed_files_checks = [build_failed_files_check(SOURCE)]
