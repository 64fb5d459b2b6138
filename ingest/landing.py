"""Landing: find the files dropped for a source and keep an immutable copy of each.

Every file is archived under its SHA-256 before it is parsed, so what was loaded can always be
read again, and the checksum tells a new file from one already loaded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

_CHUNK = 1 << 20


class LandingError(ValueError):
    """A landed file that cannot be accepted (outside the landing folder, unreadable)."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def landed_files(landing_root: Path, folder: str, pattern: str) -> list[Path]:
    """The files matching `pattern` in `landing_root/folder`, sorted by name.

    A file whose real path leaves the landing folder (a symlink, a crafted name) is refused.
    """
    root = landing_root.resolve()
    directory = (landing_root / folder).resolve()
    if not directory.is_relative_to(root):
        raise LandingError(f"source folder {folder!r} is outside the landing folder {root}")
    if not directory.exists():
        return []
    files = []
    for path in sorted(directory.glob(pattern)):
        real = path.resolve()
        if not real.is_relative_to(root):
            raise LandingError(f"{path} points outside the landing folder {root}: refused")
        if real.is_file():
            files.append(path)
    return files


def archive_file(path: Path, archive_root: Path, source: str, sha256: str) -> Path:
    """Copy `path` to `archive_root/source/<sha256>/<name>` (read-only) unless already there."""
    target = archive_root / source / sha256 / path.name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    # A copy left read-only by a process killed before the rename would refuse the next copy.
    partial.unlink(missing_ok=True)
    shutil.copyfile(path, partial)
    if file_sha256(partial) != sha256:
        partial.unlink()
        raise LandingError(f"{path} changed while it was being archived; try again")
    os.chmod(partial, 0o444)
    os.replace(partial, target)
    return target
