"""Every column of every Python mart is described, in the domain's marts.yml, and the list is
the mart's real columns.

The structural tests are fast. `assert_marts_match_their_docs` compares a built warehouse's
Python marts with the YAML (names, order and types); tests/integration/test_end_to_end.py
calls it on the demo it builds end to end, so a column added to a mart without a description
fails there.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pytest

from common.settings import REPO_ROOT
from orchestration.shared.mart_columns import (
    MartColumnsError,
    load_mart_columns,
    parse_mart_columns,
)

DOMAINS = ("clv", "drivers", "okr", "rox")
ROOT = REPO_ROOT / "orchestration"


def documented() -> dict[str, tuple]:
    """Every documented mart of every domain's marts.yml, by mart name."""
    marts: dict[str, tuple] = {}
    for domain in DOMAINS:
        for name, columns in load_mart_columns(ROOT / domain / "marts.yml").marts.items():
            assert name not in marts, f"{name} documented twice"
            marts[name] = columns
    return marts


def python_mart_names() -> list[str]:
    from orchestration.marts import python_mart_keys

    return [key.path[-1] for key in python_mart_keys()]


def test_every_python_mart_and_column_is_described() -> None:
    marts = documented()
    names = python_mart_names()
    assert len(names) >= 16
    assert sorted(marts) == sorted(names), "every Python mart, and only they, in a marts.yml"
    for name, columns in marts.items():
        assert columns, name
        for column in columns:
            assert column.description.strip(), f"{name}.{column.name}: no description"
            assert column.data_type != "unknown", f"{name}.{column.name}: no data_type"


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_documents_the_marts_its_assets_write(domain) -> None:
    import dagster as dg

    module = importlib.import_module(f"orchestration.{domain}.assets")
    keys = [
        key.path[-1]
        for value in vars(module).values()
        if isinstance(value, dg.AssetsDefinition)
        for key in value.keys
        if key.path[0] == "marts"
    ]
    assert keys and sorted(module.COLUMNS.marts) == sorted(keys), domain
    assert module.COLUMNS.path == ROOT / domain / "marts.yml"


def test_the_specs_carry_the_columns_for_the_ui() -> None:
    from orchestration.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    marts = documented()
    from orchestration.marts import python_mart_keys

    for key in python_mart_keys():
        schema = graph.get(key).metadata["dagster/column_schema"]
        schema = getattr(schema, "schema", schema)
        shown = [(c.name, c.type, c.description) for c in schema.columns]
        expected = [(c.name, c.data_type, c.description) for c in marts[key.path[-1]]]
        assert shown == expected, key.to_user_string()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("marts:\n- name: a\n  columns:\n  - name: x\n", "m.yml: a.columns[0]: needs name and"),
        (
            "marts:\n- name: a\n  columns:\n  - {name: x, description: ' '}\n",
            "m.yml: a.x.description: must be non-empty text",
        ),
        (
            "marts:\n- name: a\n  columns:\n  - {name: x, description: d, typ: INT}\n",
            "m.yml: a.columns[0]: unknown key 'typ'",
        ),
        (
            "marts:\n- name: a\n  columns:\n  - {name: x, description: d}\n"
            "  - {name: x, description: e}\n",
            "m.yml: a.x: column appears twice",
        ),
        ("marts:\n- name: a\n  name: b\n  columns: []\n", "m.yml: key 'name' appears twice"),
        ("marts: [\n", "m.yml: line 2, column 1: not valid YAML"),
        ("mart: []\n", "m.yml: must be a mapping with the one key 'marts'"),
    ],
)
def test_a_malformed_file_names_the_file_and_key(tmp_path, text, message) -> None:
    path = tmp_path / "m.yml"
    path.write_text(text)
    with pytest.raises(MartColumnsError) as raised:
        load_mart_columns(path)
    assert str(raised.value).startswith(message), str(raised.value)


def test_a_mart_without_an_entry_is_named() -> None:
    docs = parse_mart_columns(
        {"marts": [{"name": "a", "columns": [{"name": "x", "description": "d"}]}]}, Path("m.yml")
    )
    assert docs.columns("a")[0].data_type == "unknown"
    with pytest.raises(MartColumnsError, match="m.yml: no entry for mart 'b'"):
        docs.table_schema("b")


def assert_marts_match_their_docs(warehouse: Path) -> None:
    """The Python marts of a built warehouse have exactly the documented columns, in order and
    with the documented types."""
    marts = documented()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    written: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        written.setdefault(table, []).append((column, kind))
    for name, columns in marts.items():
        assert name in written, f"marts.{name} was not built"
        expected = [(c.name, c.data_type) for c in columns]
        undocumented = sorted({c for c, _ in written[name]} - {c for c, _ in expected})
        assert not undocumented, f"marts.{name}: describe {undocumented} in its marts.yml"
        assert written[name] == expected, f"marts.{name}: marts.yml differs from the table"
