"""Workarounds for defects of the generated demo data that would stop a run at scale.

The demo's Google Play export has no review links and submit times to the second, so two reviews
with the same text in the same second get the same review id (`google_play_review_id` hashes
package, time and link or text) and the blocking uniqueness gate `ge_raw_reviews` fails. With
seed 42 that happens at 200,000 customers. Until the generator is fixed, the benchmark drops the
later row of each such pair before the run and records how many it dropped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ID_COLUMNS = ("Package Name", "Review Submit Millis Since Epoch")


def _review_key(row: list[str], at: dict[str, int]) -> tuple[str, ...]:
    """What the review id is made of (ingest.reviews.google_play_review_id)."""
    link = row[at["Review Link"]].strip() if "Review Link" in at else ""
    text = row[at["Review Text"]].strip() if "Review Text" in at else ""
    return (*(row[at[c]].strip() for c in ID_COLUMNS), link or text)


def drop_duplicate_google_play_reviews(reviews_dir: Path) -> int:
    """Rewrite each Google Play export (UTF-16 CSV) without rows whose review id repeats an
    earlier row's; returns how many rows were dropped."""
    dropped = 0
    for path in sorted(reviews_dir.glob("*.csv")):
        raw = path.read_bytes()
        if raw[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            continue
        rows = list(csv.reader(io.StringIO(raw.decode("utf-16"), newline="")))
        header, body = rows[0], rows[1:]
        if not all(column in header for column in ID_COLUMNS):
            continue
        at = {name: i for i, name in enumerate(header)}
        seen: set[tuple[str, ...]] = set()
        kept = []
        for row in body:
            key = _review_key(row, at)
            if key not in seen:
                seen.add(key)
                kept.append(row)
        if len(kept) == len(body):
            continue
        dropped += len(body) - len(kept)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *kept])
        path.write_bytes(out.getvalue().encode("utf-16"))
    return dropped
