"""The dbt graph runs raw -> staging -> intermediate -> marts: no model reads a later layer."""

from __future__ import annotations

import json

LAYERS = ("staging", "intermediate", "marts")


def test_no_model_reads_a_later_layer(dbt_manifest) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    models = {
        key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    backwards = [
        (node["name"], models[parent]["name"])
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models
        and LAYERS.index(models[parent]["fqn"][1]) > LAYERS.index(node["fqn"][1])
    ]
    assert backwards == []
    assert {node["fqn"][1] for node in models.values()} == set(LAYERS)


def test_only_the_marts_read_what_python_marts_write(dbt_manifest) -> None:
    """The Python marts come after the dbt marts' inputs: only a mart may build on one."""
    manifest = json.loads(dbt_manifest.read_text())
    python_sources = {
        key for key, source in manifest["sources"].items() if source["source_name"] == "marts"
    }
    readers = {
        node["fqn"][1]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and python_sources & set(node["depends_on"]["nodes"])
    }
    assert python_sources and readers == {"marts"}
