"""Bars: horizontal bars from zero with optional intervals, vertical columns per period, and a
histogram over given bin edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from report.charts.common import EUR_AXIS, WIDTH, fixed_scale, text_px, unique_labels
from report.colours import BLUE, INK
from report.formatting import is_number, nice_ticks, short


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written at the bar's end
    description: str  # the bar's accessible label
    low: float | None = None
    high: float | None = None
    colour: str = BLUE


def bar_chart(bars: Sequence[Bar], *, axis_label: str, axis_title: str = "") -> alt.LayerChart:
    """Horizontal bars from zero (negative values go left) in the given order, optional interval
    whiskers, the value written at the end of each bar."""
    labels = unique_labels([short(b.label, 40) for b in bars])
    rows = []
    for label, b in zip(labels, bars, strict=True):
        interval = is_number(b.low) and is_number(b.high)
        low, high = (float(b.low), float(b.high)) if interval else (None, None)
        end = max(0.0, b.value, high if high is not None else b.value)
        row = {"label": label, "value": b.value, "low": low, "high": high, "end": end}
        text = short(b.text, 24)
        rows.append({**row, "text": text, "colour": b.colour, "description": b.description})
    data = pd.DataFrame(rows)
    values = [*data["value"], *data["low"].dropna(), *data["high"].dropna(), 0.0]
    ticks = nice_ticks(min(values), max(values))
    y = alt.Y(
        "label:N",
        sort=labels,
        title=None,
        axis=alt.Axis(labelFontSize=15, labelColor=INK, labelPadding=8, ticks=False, domain=False),
    )
    x = alt.X(
        "value:Q",
        stack=None,
        scale=fixed_scale(ticks),
        title=axis_title or None,
        axis=alt.Axis(values=ticks, labelExpr=axis_label, grid=True),
    )
    base = alt.Chart(data).encode(y=y)
    bar = (
        base.mark_bar(height={"band": 0.7})
        .encode(
            x=x,
            x2=alt.X2Datum(0),
            color=alt.Color("colour:N", scale=None),
            description=alt.Description("description:N"),
        )
        .properties(name="bar")
    )
    with_interval = base.transform_filter("isValid(datum.low) && isValid(datum.high)")
    ci = (
        with_interval.mark_rule(color=INK, strokeWidth=2, aria=False)
        .encode(x=alt.X("low:Q"), x2=alt.X2("high"))
        .properties(name="ci")
    )
    caps = [
        with_interval.mark_tick(color=INK, thickness=2, size=14, aria=False).encode(
            x=alt.X(f"{end}:Q")
        )
        for end in ("low", "high")
    ]
    text = base.mark_text(
        align="left", dx=8, fontSize=15, fontWeight=600, color=INK, aria=False
    ).encode(x=alt.X("end:Q"), text=alt.Text("text:N"))
    zero = alt.Chart(data).mark_rule(color=INK, strokeWidth=1.5, aria=False).encode(x=alt.XDatum(0))
    # Room on the left for the labels, on the right for the values written past the bars.
    plot_width = WIDTH - max(map(text_px, labels)) - max(map(text_px, data["text"])) - 40
    return alt.layer(bar, ci, *caps, text, zero).properties(width=plot_width, height=34 * len(bars))


def column_chart(
    labels: Sequence[str],
    values: Sequence[float],
    descriptions: Sequence[str],
    *,
    axis_label: str,
    colour: str = BLUE,
) -> alt.LayerChart:
    """One vertical bar per period, in the given order (labels thin out when crowded)."""
    data = pd.DataFrame({"label": list(labels), "value": list(values), "d": list(descriptions)})
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    bars = (
        alt.Chart(data)
        .mark_bar(color=colour, width={"band": 0.8})
        .encode(
            x=alt.X(
                "label:O",
                sort=list(labels),
                title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap="parity", ticks=False),
            ),
            y=alt.Y(
                "value:Q",
                scale=fixed_scale(ticks),
                title=None,
                axis=alt.Axis(values=ticks, labelExpr=axis_label),
            ),
            description=alt.Description("d:N"),
        )
        .properties(name="bar")
    )
    zero = alt.Chart(data).mark_rule(color=INK, strokeWidth=1.5, aria=False).encode(y=alt.YDatum(0))
    return alt.layer(bars, zero).properties(width=WIDTH - 100, height=260)


def histogram(
    edges: Sequence[float],
    counts: Sequence[int],
    descriptions: Sequence[str],
    *,
    axis_title: str,
    colour: str,
) -> alt.Chart:
    """Counts over bins given by their edges; the x axis labels the edges in EUR."""
    data = pd.DataFrame(
        {"low": edges[:-1], "high": edges[1:], "count": list(counts), "d": list(descriptions)}
    )
    ticks = nice_ticks(0.0, max(1.0, float(max(counts))))
    every = max(1, len(edges) // 10)
    return (
        alt.Chart(data)
        .mark_bar(color=colour, binSpacing=3)
        .encode(
            x=alt.X(
                "low:Q",
                bin="binned",
                scale=alt.Scale(domain=[edges[0], edges[-1]], nice=False, zero=False),
                title=axis_title,
                axis=alt.Axis(values=list(edges[::every]), labelExpr=EUR_AXIS, grid=False),
            ),
            x2=alt.X2("high"),
            y=alt.Y(
                "count:Q", scale=fixed_scale(ticks), title="customers", axis=alt.Axis(values=ticks)
            ),
            description=alt.Description("d:N"),
        )
        .properties(name="bar", width=WIDTH - 120, height=260)
    )
