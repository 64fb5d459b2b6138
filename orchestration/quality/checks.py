"""The blocking quality gates between the dbt layers: every staging view and every mart.

Every staging model and every mart (dbt's, from the manifest, and the Python marts) gets a gate,
so a new model is gated without another list to keep in step: its suite from
`expectations/staging.py` / `expectations/marts.py` (empty: the table-level gates only) plus the
row count, and personal data for the marts. A model's own grain and contract are dbt tests in
its YAML. The raw tables' gates live with their sources (orchestration/{crm,surveys,reviews}/).
"""

import json

from expectations.marts import MARTS_SUITE
from expectations.marts import SUITE_NAME as MARTS
from expectations.staging import STAGING_SUITE
from expectations.staging import SUITE_NAME as STAGING
from orchestration.marts import mart_asset_keys
from orchestration.quality.gates import build_suite_check
from orchestration.transform.project import rox_dbt_project


def staging_models() -> list[str]:
    """The dbt models under models/staging."""
    manifest = json.loads(rox_dbt_project.manifest_path.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["staging"]
    )


staging_suite_checks = [
    build_suite_check(model, STAGING_SUITE.get(model, []), STAGING, schema="staging")
    for model in staging_models()
]
mart_suite_checks = [
    build_suite_check(mart, MARTS_SUITE.get(mart, []), MARTS, schema="marts", personal_data=True)
    for mart in (key.path[1] for key in mart_asset_keys())
]
