"""The journey heatmap: stages x touchpoints on the pain-to-love scale of the business
thresholds."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from report.charts.common import WIDTH, unique_labels
from report.colours import EMPTY_CELL, INK, MUTED, heat_colour, heat_label, heat_stops, ink_for
from report.formatting import TOO_FEW, is_number, optional_float, short
from report.shaping import Cell

# Stage and touchpoint names: bold and dark like the cells' labels, no tick or axis line.
NAMES = {
    "labelFontSize": 15,
    "labelFontWeight": 600,
    "labelColor": INK,
    "ticks": False,
    "domain": False,
}


def heatmap(
    stages: Sequence[str],
    touchpoints: Sequence[str],
    cells: dict[tuple[str, str], Cell],
    *,
    pain_below: float,
    love_from: float,
) -> alt.LayerChart:
    """Stages x touchpoints, one cell each: coloured on the pain-to-love scale whose stops are
    the business thresholds, labelled with its score (a star for a moment that matters), its
    heat label and its volume; an empty cell is grey with a dash."""
    # Axis labels are cut in Python: Vega's own cutting measures text again and again (slow).
    stage_names = dict(zip(stages, unique_labels([short(s, 16) for s in stages]), strict=True))
    touchpoint_names = dict(
        zip(touchpoints, unique_labels([short(t, 16) for t in touchpoints]), strict=True)
    )
    rows = []
    for stage in stages:
        for touchpoint in touchpoints:
            cell = cells.get((stage, touchpoint), Cell(None))
            heat = heat_label(cell.score, pain_below, love_from)
            if is_number(cell.score):
                star = " \u2605" if cell.moment else ""
                score_text, detail = (
                    f"{cell.score:.0f}{star}",
                    f"{heat} \u00b7 n={cell.volume:,.0f}",
                )
                description = (
                    f"{stage} x {touchpoint}: {cell.score:.1f}/100, {heat}, "
                    f"{cell.volume:,.0f} signals" + (", moment that matters" if cell.moment else "")
                )
                ink = ink_for(heat_colour(cell.score, pain_below, love_from))
            elif cell.suppressed:
                score_text, detail, ink = "\u2013", TOO_FEW, MUTED
                description = (
                    f"{stage} x {touchpoint}: {TOO_FEW} ({cell.volume:,.0f} signals, not published)"
                )
            else:
                score_text, detail, ink = "\u2013", "", MUTED
                description = f"{stage} x {touchpoint}: no signals"
            rows.append(
                {
                    "stage": stage_names[stage],
                    "touchpoint": touchpoint_names[touchpoint],
                    "score": optional_float(cell.score),
                    "score_text": score_text,
                    "detail": detail,
                    "ink": ink,
                    "description": description,
                }
            )
    data = pd.DataFrame(rows)
    cell_w = min(160.0, (WIDTH - 150) / max(len(touchpoints), 1))
    stops = heat_stops(pain_below, love_from)
    fill = alt.Color(
        "score:Q",
        condition={"test": "datum.score == null", "value": EMPTY_CELL},  # an empty cell
        scale=alt.Scale(
            domain=[s for s, _ in stops], range=[c for _, c in stops], interpolate="rgb"
        ),
        legend=alt.Legend(
            orient="bottom",
            direction="horizontal",
            title=None,
            gradientLength=420,
            gradientThickness=16,
            values=[0, pain_below, love_from, 100],
            labelExpr="datum.value == 0 ? '0 pain' : datum.value == 100 ? '100 love' : datum.label",
            labelFontSize=12,
        ),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "touchpoint:N",
            sort=list(touchpoint_names.values()),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, **NAMES),
        ),
        y=alt.Y(
            "stage:N",
            sort=list(stage_names.values()),
            title=None,
            axis=alt.Axis(**NAMES),
        ),
    )
    rect = (
        base.mark_rect(stroke="white", strokeWidth=2, invalid=None)
        .encode(
            color=fill,
            description=alt.Description("description:N"),
        )
        .properties(name="cell")
    )
    ink = alt.Color("ink:N", scale=None)
    scored = base.transform_filter("datum.score != null")
    score = scored.mark_text(fontSize=20, fontWeight=700, dy=-8, aria=False).encode(
        text=alt.Text("score_text:N"), color=ink
    )
    empty = (
        base.transform_filter("datum.score == null")
        .mark_text(fontSize=16, color=MUTED, aria=False)
        .encode(text=alt.Text("score_text:N"))
    )
    detail = scored.mark_text(fontSize=12, dy=14, aria=False).encode(
        text=alt.Text("detail:N"), color=ink
    )
    too_few = (
        base.transform_filter("datum.score == null && datum.detail != ''")
        .mark_text(fontSize=11, dy=16, color=MUTED, aria=False)
        .encode(text=alt.Text("detail:N"))
    )
    # The text's colour (black or white for contrast) is its own scale, not the heat scale.
    return (
        alt.layer(rect, score, empty, detail, too_few)
        .resolve_scale(color="independent")
        .properties(
            width=cell_w * len(touchpoints),
            height=70 * len(stages),
        )
    )
