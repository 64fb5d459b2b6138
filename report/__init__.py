"""The CX and ROX report: a self-contained HTML page of inline SVG charts built from the marts."""

from report.render import DEFAULT_UI_BASE, REPORT_MARTS, Report, RunInfo, build_report, report_path

__all__ = ["DEFAULT_UI_BASE", "REPORT_MARTS", "Report", "RunInfo", "build_report", "report_path"]
