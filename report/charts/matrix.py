"""The driver priority matrix: importance against performance in four labelled quadrants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from report.colours import GREY, INK, QUADRANT_COLOURS
from report.formatting import is_number, nice_ticks, optional_float
from report.shaping import label_rows


@dataclass(frozen=True)
class Driver:
    name: str
    importance: float
    performance: float
    quadrant: str
    low: float | None = None
    high: float | None = None


MATRIX_PLOT = (860, 400)  # plot width and height in px
CORNERS = (
    ("fix", "Fix: important, weak", "left", "top"),
    ("leverage", "Leverage: important, strong", "right", "top"),
    ("monitor", "Monitor: less important, weak", "left", "bottom"),
    ("maintain", "Maintain: less important, strong", "right", "bottom"),
)


def priority_matrix(
    drivers: Sequence[Driver], *, importance_cut: float, performance_cut: float
) -> alt.LayerChart:
    """Importance (y) against performance (x), split at the cuts into four labelled quadrants;
    each driver a point coloured by its quadrant with its interval and its name."""
    plot_w, plot_h = MATRIX_PLOT
    highs = [d.high if is_number(d.high) else d.importance for d in drivers]
    y_ticks = nice_ticks(0.0, max([importance_cut, *highs]) * 1.05)
    performances = [d.performance for d in drivers] + [performance_cut]
    x_ticks = nice_ticks(max(0.0, min(performances) - 10), min(100.0, max(performances) + 10))
    # Strips above and below the ticks hold the quadrant labels, so no point can cover them.
    strip = (y_ticks[-1] - y_ticks[0]) * 0.1
    y0, y1, x0, x1 = y_ticks[0] - strip, y_ticks[-1] + strip, x_ticks[0], x_ticks[-1]
    x_scale = alt.Scale(domain=[x0, x1], nice=False, zero=False)
    y_scale = alt.Scale(domain=[y0, y1], nice=False, zero=False)
    quadrants = pd.DataFrame(
        [
            (x0, performance_cut, importance_cut, y1, "#fde8e0"),
            (performance_cut, x1, importance_cut, y1, "#e0edf7"),
            (x0, performance_cut, y0, importance_cut, "#efefef"),
            (performance_cut, x1, y0, importance_cut, "#e2f3ec"),
        ],
        columns=["x", "x2", "y", "y2", "fill"],
    )
    background = (
        alt.Chart(quadrants)
        .mark_rect(aria=False)
        .encode(
            x=alt.X(
                "x:Q",
                scale=x_scale,
                title="performance (mean score 0-100)",
                axis=alt.Axis(values=x_ticks, grid=False),
            ),
            x2=alt.X2("x2"),
            y=alt.Y(
                "y:Q",
                scale=y_scale,
                title="importance (% of explained variance)",
                axis=alt.Axis(values=y_ticks, labelExpr="datum.value + '%'", gridColor="white"),
            ),
            y2=alt.Y2("y2"),
            color=alt.Color("fill:N", scale=None),
        )
        .properties(name="quadrant")
    )
    cuts = alt.Chart(pd.DataFrame({"x": [performance_cut], "y": [importance_cut]}))
    dash = {"color": INK, "strokeDash": [6, 4], "aria": False}
    cut_lines = [
        cuts.mark_rule(**dash).encode(x=alt.X("x:Q")),
        cuts.mark_rule(**dash).encode(y=alt.Y("y:Q")),
    ]
    corners = pd.DataFrame(
        [
            {
                "x": x0 if align == "left" else x1,
                "y": y1 - strip / 2 if edge == "top" else y0 + strip / 2,
                "caption": caption,
                "align": align,
                "colour": QUADRANT_COLOURS[key],
            }
            for key, caption, align, edge in CORNERS
        ]
    )
    corner_labels = [
        alt.Chart(corners[corners["align"] == align])
        .mark_text(align=align, dx=10 if align == "left" else -10, fontSize=15, fontWeight=700)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            text=alt.Text("caption:N"),
            color=alt.Color("colour:N", scale=None),
        )
        .properties(name=f"quadrant_label_{align}")
        for align in ("left", "right")
    ]
    units_per_px = (y1 - y0) / plot_h
    pixel_x = [(d.performance - x0) / (x1 - x0) * plot_w for d in drivers]
    label_y = label_rows(
        [(px, d.importance, d.name) for px, d in zip(pixel_x, drivers, strict=True)],
        gap=18 * units_per_px,
        char_width=9.5,
        dot=14,
    )
    points = pd.DataFrame(
        [
            {
                "name": d.name,
                "importance": d.importance,
                "performance": d.performance,
                "low": optional_float(d.low),
                "high": optional_float(d.high),
                "label_y": at,
                "colour": QUADRANT_COLOURS.get(d.quadrant, GREY),
                "description": f"{d.name}: importance {d.importance:.1f}%, performance "
                f"{d.performance:.1f}, {d.quadrant}",
            }
            for d, at in zip(drivers, label_y, strict=True)
        ]
    )
    colour = alt.Color("colour:N", scale=None)
    base = alt.Chart(points).encode(x=alt.X("performance:Q"), color=colour)
    intervals = (
        base.transform_filter("isValid(datum.low) && isValid(datum.high)")
        .mark_rule(strokeWidth=2.5, aria=False)
        .encode(y=alt.Y("low:Q"), y2=alt.Y2("high"))
        .properties(name="ci")
    )
    dots = (
        base.mark_circle(size=260, opacity=1, stroke="white", strokeWidth=2)
        .encode(y=alt.Y("importance:Q"), description=alt.Description("description:N"))
        .properties(name="driver")
    )
    names = base.mark_text(align="left", dx=14, fontSize=15, fontWeight=700, aria=False).encode(
        y=alt.Y("label_y:Q"), text=alt.Text("name:N"), color=alt.ColorValue(INK)
    )
    return alt.layer(background, *cut_lines, *corner_labels, intervals, dots, names).properties(
        width=plot_w, height=plot_h
    )
