"""Every published dbt mart has an enforced contract: dbt fails the build when the model's SQL
gives a column the YAML does not declare, or a type other than the declared one, on DuckDB and
on Spark alike."""

from __future__ import annotations

import json
import re

# Type names dbt's alias_types translates on both adapters (DuckDB and Spark).
PORTABLE_TYPE = re.compile(r"string|bigint|int|double|boolean|date|timestamp|decimal\(\d+, ?\d+\)")


def test_every_mart_has_an_enforced_contract_with_portable_types(dbt_manifest) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    marts = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
    assert {"business_kpis", "metric_values", "journey_heatmap"} <= set(marts)
    unenforced = [
        name for name, node in marts.items() if not node["config"]["contract"]["enforced"]
    ]
    assert unenforced == []
    assert all(node["columns"] for node in marts.values())
    untyped = [
        f"{name}.{column['name']}"
        for name, node in marts.items()
        for column in node["columns"].values()
        if not column.get("data_type")
    ]
    assert untyped == []
    not_portable = [
        f"{name}.{column['name']}: {column['data_type']}"
        for name, node in marts.items()
        for column in node["columns"].values()
        if not PORTABLE_TYPE.fullmatch(column["data_type"])
    ]
    assert not_portable == []
