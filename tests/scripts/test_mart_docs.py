"""docs/marts.md is up to date: regenerated from dbt's manifest and the Python marts' specs
(their marts.yml), it holds every mart as written."""

from __future__ import annotations

import importlib.util
import json

from common.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "marts.md"


def _mart_docs():
    spec = importlib.util.spec_from_file_location(
        "mart_docs", REPO_ROOT / "scripts" / "mart_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_marts_reference_matches_the_manifest(dbt_manifest) -> None:
    from orchestration.marts import mart_asset_keys

    mart_docs = _mart_docs()
    text = DOCS.read_text()
    marts = mart_docs.dbt_marts(json.loads(dbt_manifest.read_text()))
    assert marts
    for mart in marts:
        assert mart_docs.render_mart(mart) in text, f"{mart['name']}: run `make docs`"
    for key in mart_asset_keys():
        assert f"## `marts.{key.path[-1]}`" in text, f"{key.to_user_string()}: run `make docs`"
    python = mart_docs.python_marts({mart["name"] for mart in marts})
    assert python
    for mart in python:
        assert mart["columns"] and all(description for *_, description in mart["columns"])
        assert mart_docs.render_mart(mart) in text, f"{mart['name']}: run `make docs`"
    assert "docs/marts.md" in (REPO_ROOT / "README.md").read_text()
