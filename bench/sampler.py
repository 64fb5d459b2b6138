"""Memory and CPU time of a process tree, sampled from /proc (psutil is not a dependency)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import NamedTuple

PROC = Path("/proc")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ProcStat(NamedTuple):
    ppid: int
    cpu_ticks: int  # its own user + system time, plus that of its children it has waited for
    rss_kib: int


class Sample(NamedTuple):
    t: float  # unix time
    rss_kib: int  # summed over the tree
    cpu_s: float  # CPU time of the tree so far, ended descendants included


def _stat(text: str) -> ProcStat:
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    # fields[0] is field 3 of proc(5), so field n is fields[n - 3].
    fields = text[text.rfind(")") + 2 :].split()
    ticks = sum(int(fields[n - 3]) for n in (14, 15, 16, 17))  # utime stime cutime cstime
    return ProcStat(int(fields[1]), ticks, int(fields[21]) * PAGE_KIB)


def proc_stats() -> dict[int, ProcStat]:
    """Every live process's parent, CPU ticks and resident memory."""
    stats = {}
    for path in PROC.glob("[0-9]*/stat"):
        try:
            stats[int(path.parent.name)] = _stat(path.read_text())
        except (OSError, IndexError, ValueError):  # ended between the listing and the read
            continue
    return stats


def tree_pids(root: int, stats: dict[int, ProcStat] | None = None) -> list[int]:
    """`root` and every live process descended from it."""
    stats = proc_stats() if stats is None else stats
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(stat.ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def sample_tree(root: int) -> Sample:
    """RSS and CPU time of `root`'s tree now.

    A descendant that has ended and been waited for is in its parent's children's time, so the
    CPU time only grows; the RSS sum counts pages shared between processes once per process.
    """
    stats = proc_stats()
    pids = tree_pids(root, stats)
    return Sample(
        time.time(),
        sum(stats[p].rss_kib for p in pids),
        sum(stats[p].cpu_ticks for p in pids) / CLOCK_TICKS,
    )


class TreeSampler:
    """Samples a process tree every `interval_s` in a background thread."""

    def __init__(self, root_pid: int, interval_s: float = 0.2) -> None:
        self.root_pid = root_pid
        self.interval_s = interval_s
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sample = sample_tree(self.root_pid)
            if sample.rss_kib:  # nothing once the root has ended
                self.samples.append(sample)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def peak_mb(samples: list[Sample], start: float | None = None, end: float | None = None) -> float:
    """Highest RSS (MiB) among `samples` taken in [start, end]; 0 when none fall inside."""
    inside = [
        s.rss_kib
        for s in samples
        if (start is None or s.t >= start) and (end is None or s.t <= end)
    ]
    return round(max(inside, default=0) / 1024, 1)


def cpu_seconds(
    samples: list[Sample], start: float | None = None, end: float | None = None
) -> float:
    """CPU time the tree used between `start` and `end`, to the sampling interval's precision."""
    before = [s.cpu_s for s in samples if start is not None and s.t <= start]
    upto = [s.cpu_s for s in samples if end is None or s.t <= end]
    if not upto:
        return 0.0
    return round(upto[-1] - (before[-1] if before else 0.0), 2)
