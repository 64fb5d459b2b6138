"""The documented columns of the Python marts: one `marts.yml` per domain, beside its assets.

The file has dbt's shape (`marts: - name: <mart>, columns: - name, data_type, description`) and
lists every column the mart writes, in order. It is read once, when the assets module is
imported: a malformed file fails the definitions naming the file and the key. The specs carry
the columns as `dagster/column_schema` (the Columns tab of the Dagster UI), the materialisations
add the descriptions to the schema they read from the warehouse, and scripts/mart_docs.py
renders them in docs/marts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from common.strict_yaml import read_config_yaml


class MartColumnsError(ValueError):
    """A marts.yml that cannot be used, naming the file and the key."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str


@dataclass(frozen=True)
class MartColumns:
    """The documented columns of every mart in one marts.yml."""

    path: Path
    marts: dict[str, tuple[Column, ...]]

    def columns(self, mart: str) -> tuple[Column, ...]:
        if mart not in self.marts:
            raise MartColumnsError(f"{self.path.name}: no entry for mart {mart!r}")
        return self.marts[mart]

    def descriptions(self, mart: str) -> dict[str, str]:
        return {column.name: column.description for column in self.columns(mart)}

    def table_schema(self, mart: str) -> dg.TableSchema:
        return dg.TableSchema(
            columns=[
                dg.TableColumn(column.name, column.data_type, description=column.description)
                for column in self.columns(mart)
            ]
        )


def _text(value: object, where: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MartColumnsError(f"{path.name}: {where}: must be non-empty text")
    return " ".join(value.split())


def parse_mart_columns(document: object, path: Path) -> MartColumns:
    """Validate a parsed marts.yml; every problem names the file and the key."""
    if not isinstance(document, dict) or set(document) != {"marts"}:
        raise MartColumnsError(f"{path.name}: must be a mapping with the one key 'marts'")
    entries = document["marts"]
    if not isinstance(entries, list) or not entries:
        raise MartColumnsError(f"{path.name}: marts: must be a non-empty list")
    marts: dict[str, tuple[Column, ...]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"name", "columns"}:
            raise MartColumnsError(f"{path.name}: marts[{i}]: needs exactly name and columns")
        name = _text(entry["name"], f"marts[{i}].name", path)
        if name in marts:
            raise MartColumnsError(f"{path.name}: marts[{i}]: mart {name!r} appears twice")
        columns = entry["columns"]
        if not isinstance(columns, list) or not columns:
            raise MartColumnsError(f"{path.name}: {name}.columns: must be a non-empty list")
        parsed: list[Column] = []
        for j, column in enumerate(columns):
            where = f"{name}.columns[{j}]"
            if not isinstance(column, dict) or not {"name", "description"} <= set(column):
                raise MartColumnsError(f"{path.name}: {where}: needs name and description")
            unknown = set(column) - {"name", "data_type", "description"}
            if unknown:
                raise MartColumnsError(f"{path.name}: {where}: unknown key {sorted(unknown)[0]!r}")
            column_name = _text(column["name"], f"{where}.name", path)
            where = f"{name}.{column_name}"
            if any(c.name == column_name for c in parsed):
                raise MartColumnsError(f"{path.name}: {where}: column appears twice")
            parsed.append(
                Column(
                    column_name,
                    _text(column.get("data_type", "unknown"), f"{where}.data_type", path),
                    _text(column["description"], f"{where}.description", path),
                )
            )
        marts[name] = tuple(parsed)
    return MartColumns(path, marts)


def load_mart_columns(path: Path) -> MartColumns:
    """Read and validate one marts.yml (syntax errors name the line and column)."""
    return parse_mart_columns(read_config_yaml(path, MartColumnsError), path)


def with_descriptions(metadata: dict[str, object], docs: MartColumns, mart: str) -> dict:
    """A materialisation's metadata with the documented descriptions added to the column schema
    it read from the warehouse (the UI shows the latest materialisation's schema)."""
    schema = metadata.get("dagster/column_schema")
    if schema is None:
        return metadata
    described = docs.descriptions(mart)
    columns = [
        dg.TableColumn(c.name, c.type, description=described.get(c.name) or c.description)
        for c in schema.schema.columns
    ]
    return {
        **metadata,
        "dagster/column_schema": dg.MetadataValue.table_schema(dg.TableSchema(columns=columns)),
    }
