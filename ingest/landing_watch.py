"""Which landed files are new: what the landing sensors ask runs for.

A sensor keeps each file's stamp (size and modification time) in its cursor, so it hashes only
files whose stamp changed. A file counts as new when its SHA-256 is not in the archive yet: every
loader archives a file under `<archive>/<source>/<sha256>/` before it loads it, so the first tick
(no cursor yet) does not ask again for files already loaded, nor does a tick after a scheduled run
loaded them. The sensors read the archive, never the warehouse: a sensor must not hold a DuckDB
lock that a running step needs. A file that failed to load stays archived (so it is not asked
for again until it changes) and has a note beside its archive copy that the sensors show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from ingest.file_loads import FAILURE_NOTE
from ingest.landing import file_sha256


def file_stamps(paths: Iterable[Path]) -> dict[str, str]:
    """`size:mtime_ns` of each file, by file name."""
    return {
        path.name: f"{stat.st_size}:{stat.st_mtime_ns}" for path in paths if (stat := path.stat())
    }


def is_archived(path: Path, archive_root: Path, source: str) -> bool:
    """Whether a file with these bytes was taken in by `source` (whatever it was called then)."""
    return (archive_root / source / file_sha256(path)).is_dir()


def new_files(
    paths: Iterable[Path],
    seen: Mapping[str, str] | None,
    archive_root: Path,
    source: str,
) -> list[str]:
    """Names of the files whose stamp differs from `seen` and whose bytes are not archived yet."""
    paths = list(paths)
    stamps = file_stamps(paths)
    return sorted(
        path.name
        for path in paths
        if (seen or {}).get(path.name) != stamps[path.name]
        and not is_archived(path, archive_root, source)
    )


def failed_files(paths: Iterable[Path], archive_root: Path, source: str) -> dict[str, str]:
    """The landed files that failed to load, with the reason (from the notes in the archive).

    They are not asked for again until they change: a corrected file has new bytes. Read from
    the archive's notes, so no file is hashed for it.
    """
    landed = {path.name for path in paths}
    failed = {}
    for note in sorted((archive_root / source).glob(f"*/{FAILURE_NOTE}")):
        content = json.loads(note.read_text())
        if content.get("file_name") in landed:
            failed[content["file_name"]] = content.get("reason", "")
    return failed


def describe_failed(failed: Mapping[str, str], limit: int = 5) -> str:
    """One line per failed file for a sensor tick (reasons cut to 200 characters)."""
    lines = [f"{name}: {reason[:200]}" for name, reason in sorted(failed.items())[:limit]]
    more = len(failed) - limit
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
