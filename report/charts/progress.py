"""OKR progress: one 0-100% bar per item against where it should be by now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from report.charts.common import WIDTH, text_px, unique_labels
from report.colours import INK, status_colour
from report.formatting import is_number, short


@dataclass(frozen=True)
class Progress:
    label: str
    score: float
    expected: float | None = None
    status: str = ""


def progress_chart(items: Sequence[Progress]) -> alt.LayerChart:
    """One 0-100% bar per item with its name above it, a mark where it should be by now and its
    score, expectation and status written beside it."""
    labels = unique_labels([short(i.label, 95) for i in items])
    rows = []
    for label, item in zip(labels, items, strict=True):
        expected = min(1.0, max(0.0, float(item.expected))) if is_number(item.expected) else None
        note = f"{item.score:.0%}"
        description = f"{item.label}: {item.score:.0%}"
        if expected is not None:
            note += f" of {float(item.expected):.0%} expected"
            description += f", expected {float(item.expected):.0%} by now"
        if item.status:
            status = str(item.status).replace("_", " ")
            note, description = f"{note}, {status}", f"{description}, {status}"
        score = min(1.0, max(0.0, float(item.score)))
        rows.append(
            {
                "key": label,
                "shown": max(score, 0.004),  # a zero score still shows a sliver
                "expected": expected,
                "note": short(note, 32),
                "colour": status_colour(item.status),
                "description": description,
                "zero": 0.0,
                "one": 1.0,
            }
        )
    data = pd.DataFrame(rows)
    y = alt.Y("key:N", sort=labels, axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.5))
    x = alt.X(
        "zero:Q",
        scale=alt.Scale(domain=[0, 1], nice=False),
        title=None,
        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".0%", grid=True),
    )
    base = alt.Chart(data).encode(y=y)
    track = base.mark_bar(color="#eeeeee", aria=False).encode(x=x, x2=alt.X2("one"))
    bar = (
        base.mark_bar()
        .encode(
            x=alt.X("zero:Q"),
            x2=alt.X2("shown"),
            color=alt.Color("colour:N", scale=None),
            description=alt.Description("description:N"),
        )
        .properties(name="bar")
    )
    expected = (
        base.transform_filter("isValid(datum.expected)")
        .mark_tick(color=INK, thickness=3, size=38, opacity=1, aria=False)
        .encode(x=alt.X("expected:Q"))
        .properties(name="expected")
    )
    note = base.mark_text(
        align="left", dx=12, fontSize=15, fontWeight=700, color=INK, aria=False
    ).encode(x=alt.X("one:Q"), text=alt.Text("note:N"))
    name = base.mark_text(
        align="left",
        baseline="bottom",
        dy=-19,
        fontSize=15,
        fontWeight=600,
        color=INK,
        aria=False,
    ).encode(x=alt.X("zero:Q"), text=alt.Text("key:N"))
    plot_width = WIDTH - 40 - max(text_px(row["note"]) for row in rows)  # the notes on the right
    return alt.layer(track, bar, expected, note, name).properties(
        width=plot_width, height=64 * len(items)
    )
