"""Lines over evenly spaced periods, the latest value written at each line's end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from report.charts.common import WIDTH, fixed_scale, text_px
from report.formatting import nice_ticks
from report.shaping import spread


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str
    texts: Sequence[str]  # each value as written (the last one labels the line's end)


def line_chart(
    labels: Sequence[str], series: Sequence[Series], *, axis_label: str, height: int = 260
) -> alt.LayerChart:
    """Lines over evenly spaced periods with a point per value; a missing value breaks the line.
    The latest value of each series is written at its end, the labels kept apart."""
    rows = [
        {"period": label, "series": s.name, "value": v, "text": t}
        for s in series
        for label, v, t in zip(labels, s.values, s.texts, strict=True)
    ]
    data = pd.DataFrame(rows)
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    present = data["value"].dropna().tolist()
    ticks = nice_ticks(min(present), max(present)) if present else [0.0, 1.0]
    ends = data.dropna(subset=["value"]).drop_duplicates("series", keep="last").copy()
    gap = 18 * (ticks[-1] - ticks[0]) / height
    # spread() moves labels upwards in its own units; the y axis points up, so flip the sign.
    ends["at"] = [-p for p in spread([-v for v in ends["value"]], gap)]
    ends["label"] = ends["series"] + " " + ends["text"]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[s.name for s in series], range=[s.colour for s in series]),
        legend=alt.Legend(orient="top", title=None, labelFontSize=14, symbolStrokeWidth=4),
    )
    x = alt.X(
        "period:O",
        sort=list(labels),
        title=None,
        scale=alt.Scale(padding=0.3),
        axis=alt.Axis(labelAngle=0, labelOverlap="parity", grid=False),
    )
    y = alt.Y(
        "value:Q",
        scale=fixed_scale(ticks),
        title=None,
        axis=alt.Axis(values=ticks, labelExpr=axis_label),
    )
    base = alt.Chart(data).encode(x=x, y=y, color=colour)
    lines = base.mark_line(strokeWidth=3, invalid="break-paths-filter-domains", aria=False)
    points = (
        base.transform_filter("isValid(datum.value)")
        .mark_point(filled=True, size=60, opacity=1)
        .encode(description=alt.Description("description:N"))
        .transform_calculate(description="datum.series + ' ' + datum.period + ': ' + datum.text")
        .properties(name="point")
    )
    labels_at_end = (
        alt.Chart(ends)
        .mark_text(align="left", dx=10, fontSize=15, fontWeight=700, aria=False)
        .encode(
            x=x, y=alt.Y("at:Q"), text=alt.Text("label:N"), color=alt.Color("series:N", legend=None)
        )
    )
    plot_width = WIDTH - 90 - max(map(text_px, ends["label"]), default=0)
    return alt.layer(lines.properties(name="series"), points, labels_at_end).properties(
        width=plot_width, height=height
    )
