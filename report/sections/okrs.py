"""OKR progress: the latest period's score of every objective and value stream against where it
should be by now."""

from __future__ import annotations

import pandas as pd

from report import charts
from report.formatting import is_number, optional_float
from report.page import Marts, Options, Page, Table
from report.shaping import latest

SECTION = ("okrs", "OKR progress", "Objectives and key results for the latest period.")
COLUMNS = ["score", "expected by now", "status"]


def draw(page: Page, marts: Marts, options: Options) -> None:
    objectives(page, marts)
    value_streams(page, marts)


def _period(frame: pd.DataFrame) -> str:
    if "period_start" in frame.columns and frame["period_start"].notna().any():
        return f", period from {pd.Timestamp(frame['period_start'].dropna().iloc[0]):%Y-%m-%d}"
    return ""


def _progress(label: str, row: dict) -> charts.Progress:
    expected = row.get("expected_progress")
    return charts.Progress(
        label,
        float(row["score"]),
        optional_float(expected),
        str(row.get("status") or ""),
    )


def _row(item: charts.Progress) -> list[str]:
    expected = f"{item.expected:.0%}" if item.expected is not None else ""
    return [item.label, f"{item.score:.0%}", expected, item.status.replace("_", " ")]


def _figure(
    page: Page, figure_id: str, mart: str, title: str, items, *, kind: str, note: str = ""
) -> None:
    behind = sum(1 for i in items if i.expected is not None and i.score < i.expected)
    page.figure(
        figure_id,
        mart,
        title,
        charts.progress_chart(items),
        description=f"Progress bars from 0 to 100% for {len(items)} {kind}s, each with a mark "
        f"where it should be by now; {behind} behind that mark.",
        table=Table([kind, *COLUMNS], [_row(i) for i in items]),
        note=note,
    )


def objectives(page: Page, marts: Marts) -> None:
    mart = "okr_objective_progress"
    frame = page.usable(marts, mart, ["score"])
    if frame is None:
        return
    frame = latest(frame, "period_start")
    sort = [c for c in ("value_stream_id", "objective", "objective_id") if c in frame.columns]
    frame = frame.sort_values(sort) if sort else frame
    items = []
    for r in frame.to_dict("records"):
        if not is_number(r["score"]):
            continue
        label = str(r.get("objective") or r.get("objective_id") or "objective")
        if r.get("value_stream_id"):
            label = f"{r['value_stream_id']}: {label}"
        items.append(_progress(label, r))
    if not items:
        page.notice(mart, "no objective has a score yet")
        return
    _figure(
        page,
        "okr-objectives",
        mart,
        "OKR progress by objective" + _period(frame),
        items,
        kind="objective",
        note="The black mark is where the objective should be by now.",
    )


def value_streams(page: Page, marts: Marts) -> None:
    mart = "okr_value_stream_progress"
    frame = page.usable(marts, mart, ["value_stream_id", "score"])
    if frame is None:
        return
    frame = latest(frame, "period_start").sort_values("value_stream_id")
    items = [
        _progress(str(r["value_stream_id"]), r)
        for r in frame.to_dict("records")
        if is_number(r["score"])
    ]
    if not items:
        page.notice(mart, "no value stream has a score yet")
        return
    title = "OKR progress by value stream" + _period(frame)
    _figure(page, "okr-value-streams", mart, title, items, kind="value stream")
