"""Files are independent units: each landed file loads whole, or fails on its own.

`load_landed_files` is the loop every file source shares. For each file: skip it if its bytes
loaded before; archive it; load it in its own transaction. A file that cannot be accepted (its
loader raises a `ValueError` naming file, row, field and value) is recorded in `raw.load_log`
with `status = 'failed'`, its reason and the time, its archive copy stays, and the loop moves on
to the next file: one bad file never stops the others. An unchanged failed file is not read again
on every run; it is when its configuration changed (the survey mapping, say), when an operator
asks (`python -m ingest.failed_files retry`), or when a corrected file (new bytes) lands.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.landing import archive_file, file_sha256
from ingest.load_log import FAILED, LOADED, RETIRED, file_state, now_utc, record_load

DEFAULT_MAX_REJECTED_SHARE = 0.05


class FileRejected(ValueError):
    """A file that cannot be loaded at all; the message names the file and the cause."""


class DiskFullError(OSError):
    """The disk filled up while a file was being archived or loaded: transient, retried."""


@dataclass(frozen=True)
class FileLoad:
    """What happened to one landed file in one load."""

    file_name: str
    sha256: str
    rows_loaded: int
    rows_rejected: int
    status: str = LOADED  # loaded | skipped | failed (this run) | failed_before | retired
    reason: str | None = None
    notes: dict = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    @property
    def failed(self) -> bool:
        return self.status in (FAILED, "failed_before")


@dataclass
class LoadReport:
    """What one load of a source did, file by file."""

    source: str
    files: list[FileLoad] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files if f.status == LOADED)

    @property
    def files_loaded(self) -> list[str]:
        return [f.file_name for f in self.files if f.status == LOADED]

    @property
    def files_skipped(self) -> list[str]:
        return [f.file_name for f in self.files if f.skipped]

    @property
    def files_failed(self) -> list[FileLoad]:
        """Files that failed in this run or before and were not read again."""
        return [f for f in self.files if f.failed]


def max_rejected_share() -> float:
    """Above this share of rejected records a file fails whole (`ROX_MAX_REJECTED_SHARE`)."""
    text = os.environ.get("ROX_MAX_REJECTED_SHARE", "").strip()
    if not text:
        return DEFAULT_MAX_REJECTED_SHARE
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise ValueError(f"ROX_MAX_REJECTED_SHARE must be a share from 0 to 1, got {text!r}")
    return share


def check_rejected_share(file_name: str, records: int, rejects: list[str]) -> None:
    """Fail the file when too many of its records were rejected (the reason gives the counts).

    A file fails when more than `max_rejected_share()` of its records, and at least two, are
    rejected, or all of them: one bad row in a small file is that row's problem, a wrong date
    style or delimiter shows in many rows.
    """
    rejected = len(rejects)
    if not rejected or not records:
        return
    share, limit = rejected / records, max_rejected_share()
    if rejected == records or (rejected >= 2 and share > limit):
        examples = "; ".join(rejects[:3])
        raise FileRejected(
            f"{file_name}: {rejected} of {records} records rejected ({share:.1%}), more than "
            f"the {limit:.0%} allowed (ROX_MAX_REJECTED_SHARE); nothing of the file was "
            f"loaded. First: {examples}"
        )


def is_disk_full(err: BaseException) -> bool:
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return True
    text = str(err).lower()
    return "no space left on device" in text or "disk is full" in text


def disk_full(err: BaseException, where: str) -> DiskFullError:
    return DiskFullError(
        errno.ENOSPC,
        f"disk full while {where}: free space on the warehouse or archive disk; the step "
        f"retries with backoff (orchestration/shared/retries.py). Cause: {err}",
    )


LoadOne = Callable[[Path, Path, str], FileLoad]
FAILURE_NOTE = "failed.json"


def failure_note(archive_root: Path, source: str, sha256: str) -> Path:
    """Beside a failed file's archive copy: why it failed (the landing sensors read it)."""
    return archive_root / source / sha256 / FAILURE_NOTE


def _clear_failure_notes(archive_root: Path, source: str, name: str) -> None:
    """A file loaded under this name replaces any failed one of the same name."""
    for note in (archive_root / source).glob(f"*/{FAILURE_NOTE}"):
        if json.loads(note.read_text()).get("file_name") == name:
            note.unlink(missing_ok=True)


def _note_failure(archive_root: Path, source: str, sha256: str, name: str, reason) -> None:
    note = failure_note(archive_root, source, sha256)
    note.write_text(json.dumps({"file_name": name, "reason": reason}, ensure_ascii=False))


def load_landed_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    paths: Iterable[Path],
    archive_root: Path,
    load_one: LoadOne,
    config_sha256: str | None = None,
) -> LoadReport:
    """Load each file with `load_one(path, archived, sha256)`; a failing file is logged, not raised.

    `config_sha256` identifies the configuration the files are read with: a file that failed
    under another configuration is read again.
    """
    report = LoadReport(source)
    for path in paths:
        sha256 = file_sha256(path)
        state = file_state(con, source, sha256)
        if state is not None and state.status == LOADED:
            report.files.append(FileLoad(path.name, sha256, 0, 0, status="skipped"))
            continue
        if state is not None and state.status == RETIRED:
            report.files.append(FileLoad(path.name, sha256, 0, 0, RETIRED, state.reason))
            continue
        if state is not None and state.status == FAILED and state.config_sha256 == config_sha256:
            report.files.append(FileLoad(path.name, sha256, 0, 0, "failed_before", state.reason))
            continue
        try:
            archived = archive_file(path, archive_root, source, sha256)
            try:
                report.files.append(load_one(path, archived, sha256))
                _clear_failure_notes(archive_root, source, path.name)
            except ValueError as err:
                reason = str(err) if path.name in str(err) else f"{path.name}: {err}"
                record_load(
                    con, source, path.name, sha256, archived, 0, 0, now_utc(), status=FAILED,
                    reason=reason, config_sha256=config_sha256,
                )  # fmt: skip
                _note_failure(archive_root, source, sha256, path.name, reason)
                report.files.append(FileLoad(path.name, sha256, 0, 0, FAILED, reason))
        except (OSError, duckdb.Error) as err:
            if is_disk_full(err):
                raise disk_full(err, f"loading {path.name} into {source}") from err
            raise
    return report
