"""Quoting for the few SQL strings built from names that come from files or configuration."""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """Quote any column name (headers come from files) as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string as a SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def checked_identifier(name: str) -> str:
    """A table or schema name from our own configuration: lower snake case, or an error."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid identifier: {name!r} (expected lower_snake_case)")
    return name
