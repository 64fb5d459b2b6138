"""The deploy fingerprint: a re-parse leaves it alone, a change to a model does not."""

from __future__ import annotations

import copy
import json

from orchestration.transform.column_metadata import manifest_fingerprint


def test_the_fingerprint_ignores_when_the_manifest_was_written_not_what_it_holds(
    dbt_manifest,
) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    reparsed = copy.deepcopy(manifest)
    reparsed["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
    reparsed["metadata"]["invocation_id"] = "another-invocation"
    for node in reparsed["nodes"].values():
        node["created_at"] = 1.0
    assert manifest_fingerprint(reparsed) == manifest_fingerprint(manifest)

    changed = copy.deepcopy(manifest)
    kpis = next(n for n in changed["nodes"].values() if n["name"] == "business_kpis")
    kpis["raw_code"] += "\n-- a new column"
    assert manifest_fingerprint(changed) != manifest_fingerprint(manifest)
