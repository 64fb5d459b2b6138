"""Journey heatmaps: one per job, stages x touchpoints over the latest months, coloured and
labelled with the business settings' pain and love thresholds."""

from __future__ import annotations

from report import charts
from report.colours import heat_label
from report.formatting import TOO_FEW, month, slug
from report.page import Marts, Options, Page, Table
from report.shaping import HEATMAP_MONTHS, heatmap_grid

SECTION = (
    "journeys",
    "Journey heatmaps",
    f"The latest {HEATMAP_MONTHS} months of every signal, by journey stage and touchpoint, "
    "for each job customers hire us for. Blue is love, red is pain.",
)
MART = "journey_heatmap"


def draw(page: Page, marts: Marts, options: Options) -> None:
    frame = page.usable(
        marts, MART, ["month_start", "job", "stage_id", "touchpoint_id", "mean_score_0_100"]
    )
    if frame is None:
        return
    grid = heatmap_grid(
        frame, stage_order=options.stage_order, touchpoint_order=options.touchpoint_order
    )
    if not grid.jobs:
        page.notice(MART, "no cells in the latest months")
        return
    pain, love = options.heat_pain_below, options.heat_love_from
    period = f"{month(grid.months[0])} to {month(grid.months[-1])}" if grid.months else ""
    for job, cells in grid.jobs.items():
        scored = [(key, cell) for key, cell in cells.items() if cell.score is not None]
        counts = {h: 0 for h in ("pain", "neutral", "love")}
        for _, cell in scored:
            counts[heat_label(cell.score, pain, love)] += 1
        rows = [
            [
                stage,
                touchpoint,
                f"{cell.score:.1f}",
                heat_label(cell.score, pain, love),
                f"{cell.volume:,.0f}",
                "yes" if cell.moment else "",
            ]
            for (stage, touchpoint), cell in scored
        ] + [
            [stage, touchpoint, "", TOO_FEW, f"{cell.volume:,.0f}", "yes" if cell.moment else ""]
            for (stage, touchpoint), cell in cells.items()
            if cell.suppressed
        ]
        too_few = sum(1 for cell in cells.values() if cell.suppressed)
        page.figure(
            f"journey-heatmap-{slug(job)}",
            MART,
            f"Journey heatmap: {job} ({period})",
            charts.heatmap(grid.stages, grid.touchpoints, cells, pain_below=pain, love_from=love),
            description=(
                f"Heatmap for {job}: {len(grid.stages)} stages by {len(grid.touchpoints)} "
                f"touchpoints, {len(scored)} cells with signals ({counts['pain']} pain below "
                f"{pain:g}, {counts['neutral']} neutral, {counts['love']} love from {love:g})"
                + (f"; {too_few} cells with {TOO_FEW}." if too_few else ".")
            ),
            table=Table(
                ["stage", "touchpoint", "score 0-100", "label", "signals", "moment that matters"],
                rows,
            ),
            note=(
                "Rows are journey stages, columns touchpoints; each cell is the mean 0-100 "
                "score weighted by scored signals, with its label and volume. Pain is below "
                f"{pain:g}, love from {love:g}; \u2605 marks a moment that matters. A cell "
                f"with fewer signals than the business setting min_signals_heatmap_cell shows "
                f"'{TOO_FEW}'."
            ),
        )
