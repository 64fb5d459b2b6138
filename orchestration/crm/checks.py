"""The blocking quality gates of the raw CRM tables (suite `raw_crm`)."""

from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
from orchestration.quality.gates import build_raw_suite_checks

crm_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_CRM_SUITE)
