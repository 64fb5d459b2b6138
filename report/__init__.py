"""The CX and ROX report: a self-contained HTML page of static SVG charts built from the marts.

`REPORT_MARTS`, `RunInfo`, `report_path` and `DEFAULT_UI_BASE` load without the charting
library; `build_report` and `Report` import Vega-Altair and vl-convert on first use.
"""

from report.provenance import DEFAULT_UI_BASE, REPORT_MARTS, RunInfo, report_path

__all__ = ["DEFAULT_UI_BASE", "REPORT_MARTS", "Report", "RunInfo", "build_report", "report_path"]


def __getattr__(name: str):
    if name in ("Report", "build_report"):
        from report import render

        return getattr(render, name)
    raise AttributeError(f"module 'report' has no attribute {name!r}")
