"""YAML for configuration the business maintains: strict, so a typo fails loudly.

Duplicate keys are an error naming both lines (plain YAML keeps the last one silently), and
yes/no/on/off stay text instead of turning into booleans (they are valid labels and ids).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class DuplicateKeyError(Exception):
    def __init__(self, key: Any, first: int, second: int) -> None:
        super().__init__(f"key {key!r} appears twice (lines {first} and {second})")


class StrictLoader(yaml.SafeLoader):
    """Safe YAML that rejects duplicate keys and reads yes/no/on/off as text, not booleans."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise DuplicateKeyError(key, seen[key], line)
                seen[key] = line
            except TypeError:  # unhashable key; SafeLoader reports it below
                pass
        return super().construct_mapping(node, deep=deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_strict_yaml(text: str) -> Any:
    """Parse `text` with `StrictLoader` (a SafeLoader subclass: no arbitrary objects)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506


def read_config_yaml(path: Path, error: type[Exception]) -> Any:
    """Read and parse a configuration file; any problem raises `error` naming the file (and the
    line and column for syntax errors)."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"{name}: cannot be read ({err})") from err
    try:
        return load_strict_yaml(text)
    except DuplicateKeyError as err:
        raise error(f"{name}: {err}") from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = err.problem or err.context or "syntax error"
        raise error(f"{name}: {where}not valid YAML ({problem})") from err
    except yaml.YAMLError as err:
        raise error(f"{name}: not valid YAML ({err})") from err
