"""The investment ledger's raw assets and their checks: the business's own export of its
initiatives and candidate actions (`$ROX_LANDING_DIR/ledger/`), which replaces the dbt seeds
when one has loaded (`int_initiatives`, `int_actions`)."""

from expectations.raw_ledger import RAW_LEDGER_SUITE, SUITE_NAME
from expectations.scope import FILE_BATCHES
from ingest.ledger import LEDGER_SOURCES
from orchestration.crm.assets import build_raw_asset
from orchestration.quality.gates import build_suite_check
from orchestration.shared.failed_files import build_failed_files_check

raw_ledger_assets = [build_raw_asset(source) for source in LEDGER_SOURCES]
# The ledger changes when the business decides, not daily: no load-freshness gate, and an empty
# table (no ledger exported: the seeds stand) passes.
ledger_suite_checks = [
    build_suite_check(table, expectations, SUITE_NAME, batches=FILE_BATCHES)
    for table, expectations in RAW_LEDGER_SUITE.items()
]
ledger_failed_files_checks = [build_failed_files_check(s.name) for s in LEDGER_SOURCES]
