"""The blocking quality gates between the dbt layers: every staging view and every mart.

A mart's gate also scans it for personal data. The raw tables' gates live with their sources
(orchestration/{crm,surveys,reviews}/checks.py).
"""

from expectations.marts import MARTS_SUITE
from expectations.marts import SUITE_NAME as MARTS
from expectations.staging import STAGING_SUITE
from expectations.staging import SUITE_NAME as STAGING
from orchestration.quality.gates import build_suite_check

staging_suite_checks = [
    build_suite_check(t, e, STAGING, schema="staging") for t, e in STAGING_SUITE.items()
]
mart_suite_checks = [
    build_suite_check(t, e, MARTS, schema="marts", personal_data=True)
    for t, e in MARTS_SUITE.items()
]
