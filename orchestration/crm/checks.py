"""The raw CRM tables' checks: the blocking quality gate (suite `raw_crm`) and, per source, the
WARN check `failed_files`."""

from expectations.raw_crm import RAW_CRM_SUITE, SUITE_NAME
from ingest.crm import CRM_SOURCES
from orchestration.quality.gates import build_raw_suite_checks
from orchestration.shared.failed_files import build_failed_files_check

crm_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_CRM_SUITE)
crm_failed_files_checks = [build_failed_files_check(source.name) for source in CRM_SOURCES]
