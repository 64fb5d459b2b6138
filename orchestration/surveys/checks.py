"""The blocking quality gate of the raw survey answers (suite `raw_surveys`)."""

from expectations.raw_surveys import RAW_SURVEY_BATCHES, RAW_SURVEY_SUITE, SUITE_NAME
from orchestration.quality.gates import build_raw_suite_checks

survey_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_SURVEY_SUITE, RAW_SURVEY_BATCHES)
