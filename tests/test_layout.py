"""The layout stays easy to see: Dagster only in orchestration/ and bench/, nothing imports the
tests, no import cycles, and every test file sits beside the package it tests."""

from __future__ import annotations

import ast
from pathlib import Path

from common.settings import REPO_ROOT

PACKAGES = (
    "analytics",
    "bench",
    "common",
    "demo",
    "expectations",
    "ingest",
    "orchestration",
    "publish",
    "report",
    "scripts",
)
DAGSTER_ALLOWED = ("orchestration", "bench")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
    }


def test_dagster_is_imported_only_by_orchestration_and_bench() -> None:
    offenders = [
        name
        for name, path in _sources().items()
        if not name.startswith(DAGSTER_ALLOWED)
        and any(
            m.split(".")[0] in ("dagster", "dagster_dbt", "dagster_duckdb") for m in _imports(path)
        )
    ]
    assert offenders == []


def test_nothing_outside_the_tests_imports_them() -> None:
    offenders = [
        name
        for name, path in _sources().items()
        if any(m == "tests" or m.startswith("tests.") for m in _imports(path))
    ]
    assert offenders == []


def test_the_project_modules_import_no_cycle() -> None:
    sources = _sources()
    graph = {
        name: {m for m in _imports(path) if m in sources and m != name}
        for name, path in sources.items()
    }
    # A package's __init__ may re-export its own modules; that is not a cycle between modules.
    graph = {
        name: {m for m in deps if not (name == m.rsplit(".", 1)[0] and "." in m)}
        for name, deps in graph.items()
    }
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_test_files_mirror_the_packages() -> None:
    """tests/<package>/test_<module>.py tests <package>/<module>.py (or the package's folder)."""
    tests = REPO_ROOT / "tests"
    strays = []
    for path in sorted(tests.rglob("test_*.py")):
        folder = path.parent.relative_to(tests)
        if folder.parts[:1] in (("integration",), ("dbt",)) or folder == Path("."):
            continue
        module = path.stem.removeprefix("test_")
        package = REPO_ROOT.joinpath(*folder.parts)
        candidates = [package / f"{module}.py", package / module, package / f"{module}s.py"]
        if not any(c.exists() for c in candidates) and folder.parts[0] != "bench":
            strays.append(str(path.relative_to(REPO_ROOT)))
    assert strays == []
