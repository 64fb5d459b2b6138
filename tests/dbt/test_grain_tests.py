"""Every dbt model (and seed) declares its grain as a null-safe test: `unique` on one key column
or the project's `unique_grain` over the grain's columns, never `unique` on glued-together
strings (a null part makes the glued key null, and `unique` skips it)."""

from __future__ import annotations

import json
from pathlib import Path

# Models without a key of their own yet, with why.
WITHOUT_GRAIN = {
    # One row per observation of a catalogue metric, with no observation id: the split of the
    # nine-join model into one model per signal type (issue 24) gives it one.
    "fct_metric_observations",
}


def test_every_model_has_a_null_safe_grain_test(dbt_manifest: Path) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    tested, glued = set(), []
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") not in ("unique", "unique_grain"):
            continue
        column = str(meta.get("kwargs", {}).get("column_name", ""))
        if "||" in column:
            glued.append(node["name"])
        tested.update(d.split(".")[-1] for d in node["depends_on"]["nodes"])
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert glued == []
    assert models - tested == WITHOUT_GRAIN
