"""Count a CSV file's records without the parser that loads it, and find the lines that would
make a parser lose rows.

A parser that meets an unbalanced quote reads everything up to the next quote (or the end of
the file) as one field: the rows after it vanish while the load looks fine. This scan finds the
physical lines, the records (a record may span lines inside a quoted field) and the lines whose
quote opens a field that never closes into a record of the header's width ("stray quotes"). It
is vectorised (numpy over the bytes); only lines with an odd number of quotes are looked at one
by one. The loaders check that rows read plus rows rejected equal `records`, and reject the
stray lines on their own so the rows after them load.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import numpy as np

_NEWLINE, _QUOTE, _CR = 10, 34, 13
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RecordScan:
    """Where the lines and records of a CSV text are (lines are numbered from 1)."""

    line_starts: np.ndarray  # byte offset of each physical line
    record_lines: np.ndarray  # first physical line of each record, header included
    stray_lines: list[int] = field(default_factory=list)  # records of one line, rejected

    @property
    def records(self) -> int:
        """Data records (without the header line)."""
        return max(len(self.record_lines) - 1, 0)

    def line_at(self, offsets) -> np.ndarray:
        """The physical line holding each byte offset (0-based)."""
        return np.searchsorted(self.line_starts, np.asarray(offsets), side="right")


def first_invalid_utf8(path) -> tuple[int, int, bytes] | None:
    """(line, column, bytes) of the first byte sequence that is not UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                # The error's position is within what the decoder held plus this chunk.
                held = len(err.object) - len(chunk)
                bad_at = offset - held + err.start
                with open(path, "rb") as again:
                    head = again.read(bad_at + 4)
                line = head.count(b"\n", 0, bad_at) + 1
                line_start = head.rfind(b"\n", 0, bad_at) + 1
                return line, bad_at - line_start + 1, head[bad_at : bad_at + 1]
            offset += len(chunk)
    pending = decoder.getstate()[0]
    if pending:  # the file ends inside a multi-byte sequence
        bad_at = offset - len(pending)
        with open(path, "rb") as again:
            head = again.read()
        line_start = head.rfind(b"\n", 0, bad_at) + 1
        return head.count(b"\n", 0, bad_at) + 1, bad_at - line_start + 1, head[bad_at:]
    return None


def scan_records(data: bytes, delimiter: str = ",", expected_fields: int | None = None):
    """The lines, records and stray-quote lines of `data` (UTF-8 or any ASCII-compatible text).

    `expected_fields` is the header's width: a quoted field that spans lines must close into a
    record of that width, else its first line is a stray quote (checked only where it matters).
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    starts = np.concatenate(([0], newlines + 1))
    if len(starts) and starts[-1] >= len(raw):
        starts = starts[:-1]
    ends = np.concatenate((newlines, [len(raw)]))[: len(starts)]
    lengths = ends - starts
    blank = (lengths == 0) | ((lengths == 1) & (raw[np.minimum(starts, len(raw) - 1)] == _CR))
    quotes = np.flatnonzero(raw == _QUOTE)
    per_line = np.searchsorted(quotes, ends) - np.searchsorted(quotes, starts)
    is_record = ~blank
    stray: list[int] = []
    toggles = np.flatnonzero(per_line % 2 == 1)

    def text(first: int, last: int) -> str:
        return data[starts[first] : ends[last]].decode("utf-8", errors="replace")

    i = 0
    while i < len(toggles):
        k = int(toggles[i])
        state, _ = _quote_state(text(k, k), delimiter)
        if state == "complete":  # a literal quote inside an unquoted field
            i += 1
            continue
        if state == "bad":
            stray.append(k + 1)
            i += 1
            continue
        j, closed = i + 1, False
        while j < len(toggles):
            m = int(toggles[j])
            state, fields = _quote_state(text(k, m), delimiter)
            if state == "open":
                j += 1
                continue
            closed = state == "complete" and expected_fields in (None, fields)
            break
        if closed:
            is_record[k + 1 : int(toggles[j]) + 1] = False  # continuation lines of one record
            i = j + 1
        else:
            stray.append(k + 1)
            i += 1
    record_lines = np.flatnonzero(is_record) + 1
    return RecordScan(starts, record_lines, stray)


def _quote_state(text: str, delimiter: str) -> tuple[str, int]:
    """Read `text` as the start of one record: ('complete'|'open'|'bad', fields seen).

    A quote opens a field only at the field's start; inside, `""` is a quote and a quote must be
    followed by the delimiter or the line's end (DuckDB's strict reading). A line end outside
    quotes before the end of `text` means the record would end early: 'bad'.
    """
    fields, i, n = 1, 0, len(text)
    at_start = True
    while i < n:
        c = text[i]
        if c == '"' and at_start:
            while True:
                close = text.find('"', i + 1)
                if close < 0:
                    return "open", fields
                if close + 1 < n and text[close + 1] == '"':
                    i = close + 1
                    continue
                break
            after = text[close + 1 : close + 2]
            if after not in ("", delimiter, "\n", "\r"):
                return "bad", fields
            i, at_start = close + 1, False
            continue
        if c == delimiter:
            fields, at_start = fields + 1, True
        elif c == "\n" and i < n - 1:
            return "bad", fields
        elif c != "\r":
            at_start = False
        i += 1
    return "complete", fields


def without_lines(data: bytes, scan: RecordScan, lines: list[int]) -> tuple[bytes, np.ndarray]:
    """`data` without the given physical lines, and for each kept byte range its shift.

    Returns (text, shifts): shifts[i] is how many bytes were cut before the i-th kept line, so
    an offset in the new text maps back with `offset + shift` of the line it falls in.
    """
    cut = sorted(set(lines))
    pieces, shifts, kept_starts, removed, previous = [], [], [], 0, 0
    for line in cut:
        start = int(scan.line_starts[line - 1])
        end = int(scan.line_starts[line]) if line < len(scan.line_starts) else len(data)
        pieces.append(data[previous:start])
        kept_starts.append(previous - removed)
        shifts.append(removed)
        removed += end - start
        previous = end
    pieces.append(data[previous:])
    kept_starts.append(previous - removed)
    shifts.append(removed)
    return b"".join(pieces), np.array([kept_starts, shifts])


def original_offsets(offsets, shift_table: np.ndarray) -> np.ndarray:
    """Offsets in a text from `without_lines` mapped back to the original bytes."""
    kept_starts, shifts = shift_table
    index = np.searchsorted(kept_starts, np.asarray(offsets), side="right") - 1
    return np.asarray(offsets) + shifts[np.maximum(index, 0)]
