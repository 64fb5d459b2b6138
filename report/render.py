"""The CX and ROX report: one self-contained HTML page of static SVG charts, from mart frames.

Pure: pandas frames in (one per mart), a string out; no Dagster. Each section draws its charts
with Vega-Altair (`report.charts`), converted to inline SVG by vl-convert (`report.svg`), into
the page (`report.page`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from report.page import Options, Page, Report
from report.provenance import DEFAULT_UI_BASE, REPORT_MARTS, RunInfo, report_path
from report.sections import drivers, headline, journeys, okrs, value
from report.shaping import HEATMAP_MONTHS

SECTIONS = (headline, journeys, drivers, okrs, value)

__all__ = [
    "DEFAULT_UI_BASE",
    "HEATMAP_MONTHS",
    "REPORT_MARTS",
    "Report",
    "RunInfo",
    "build_report",
    "report_path",
]


def build_report(
    marts: Mapping[str, pd.DataFrame | None],
    run: RunInfo,
    *,
    stage_order: Sequence[str] = (),
    touchpoint_order: Sequence[str] = (),
    heat_pain_below: float = 50.0,
    heat_love_from: float = 75.0,
) -> Report:
    """The whole page from one frame per mart (keyed by the mart's name; None when missing)."""
    options = Options(stage_order, touchpoint_order, heat_pain_below, heat_love_from)
    page = Page(run)
    for section in SECTIONS:
        page.section(*section.SECTION)
        section.draw(page, marts, options)
        page.end_section()
    return page.report([section.SECTION for section in SECTIONS])
