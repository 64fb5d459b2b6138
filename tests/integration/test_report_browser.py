"""The report in a real browser: headless Chromium (Debian's package) through Playwright.

`inspect_report` is shared with the end-to-end test, which opens the report the whole graph
built. Chromium missing fails the test with the fix in the message; set ROX_SKIP_BROWSER=1 to
skip instead (a machine where it cannot be installed).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from common.settings import REPO_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = REPO_ROOT / "test-artifacts"
UI_BASE = "http://127.0.0.1:3000"
# The drawn items of a chart's data layers (Vega groups each layer in a g.role-mark; axes,
# legends and backgrounds are other roles), and the heatmap cells among them.
MARKS = ".role-mark > path, .role-mark > line, .role-mark > rect, .role-mark > circle"
CELLS = ".cell_marks > path"
# The chart of each mart, by figure id (journey heatmaps: one per job, see expected_figures).
FIGURES_BY_MART = {
    "rox_by_initiative": ["rox-by-initiative"],
    "rox_score": ["cx-ex-index-trend"],
    "survey_metrics_monthly": ["nps-enps-trend"],
    "business_kpis": ["revenue-trend"],
    "driver_importance": ["driver-matrix"],
    "opportunity_map": ["opportunity-ranking"],
    "action_priorities": ["action-priorities"],
    "okr_objective_progress": ["okr-objectives"],
    "okr_value_stream_progress": ["okr-value-streams"],
    "customer_clv": ["clv-distribution"],
    "clv_by_segment": ["revenue-at-risk-by-segment"],
}


def chromium_executable() -> str:
    """The system Chromium; fail (or skip with ROX_SKIP_BROWSER=1) when it is not installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = (
        "Chromium is not installed: `apt-get install -y chromium` (.ci/run does this); "
        "set ROX_SKIP_BROWSER=1 to skip the browser tests"
    )
    if os.environ.get("ROX_SKIP_BROWSER") == "1":
        pytest.skip(message)
    pytest.fail(message)


@dataclass
class PageCheck:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    left_the_machine: list[str] = field(default_factory=list)
    figures: dict[str, dict] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    screenshot: Path | None = None


FIGURES_JS = """
([marks, cells]) => Array.from(document.querySelectorAll('figure.chart')).map((f) => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const all = svg ? Array.from(svg.querySelectorAll(marks)) : [];
  const drawn = all.filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  const link = f.querySelector('figcaption a.asset-link');
  return {
    id: f.id, mart: f.dataset.mart, width: box.width, height: box.height,
    marks: all.length, drawn: drawn.length,
    cells: svg ? svg.querySelectorAll(cells).length : 0,
    title: svg && svg.querySelector('title') ? svg.querySelector('title').textContent : '',
    numbers: f.querySelectorAll('details.numbers tbody tr').length,
    caption: (f.querySelector('figcaption') || {}).textContent || '',
    link: link ? link.getAttribute('href') : '',
  };
})
"""


def inspect_report(path: Path, screenshot: Path) -> PageCheck:
    """Open `path` in headless Chromium with every request outside the file refused; collect
    console errors, requests, each chart's marks and size, and save a full-page screenshot."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extras install it
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    executable = chromium_executable()
    check = PageCheck()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(request_route) -> None:
                url = request_route.request.url
                if url.startswith(("file:", "data:")):
                    request_route.continue_()
                else:
                    check.left_the_machine.append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda m: check.console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: check.page_errors.append(str(e)))
            page.on("request", lambda r: check.requests.append(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            for figure in page.evaluate(FIGURES_JS, [MARKS, CELLS]):
                check.figures[figure["id"]] = figure
            check.notices = page.eval_on_selector_all(
                ".missing", "(nodes) => nodes.map((n) => n.dataset.mart)"
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            check.screenshot = screenshot
        finally:
            browser.close()
    return check


def assert_clean(check: PageCheck) -> None:
    """No errors, nothing fetched from outside the file, every chart drawn with real marks."""
    assert check.console_errors == [] and check.page_errors == []
    assert check.left_the_machine == []
    outside = [u for u in check.requests if not u.startswith(("file:", "data:"))]
    assert outside == []
    assert check.figures, "no chart on the page"
    for figure_id, figure in check.figures.items():
        assert figure["mart"].startswith("marts."), figure_id
        assert figure["drawn"] >= 1, f"{figure_id} has no visible mark"
        assert figure["width"] > 100 and figure["height"] > 50, f"{figure_id} is not laid out"
        assert figure["caption"].startswith(f"Source: {figure['mart']}, run "), figure_id
        assert figure["title"] and figure["numbers"] >= 1, f"{figure_id} has no title or numbers"
    assert check.screenshot is not None and check.screenshot.stat().st_size > 10_000


def expected_figures(warehouse: Path) -> tuple[set[str], set[str]]:
    """The figure ids the report must show for the marts in `warehouse` that have rows, and the
    marts that must show a notice instead."""
    from report.shaping import HEATMAP_MONTHS

    figures, notices = set(), set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }

        def rows(name: str) -> int:
            if name not in tables:
                return 0
            return con.execute(f"select count(*) from marts.{name}").fetchall()[0][0]

        for mart, ids in FIGURES_BY_MART.items():
            if rows(mart):
                figures.update(ids)
            else:
                notices.add(mart)
        if rows("journey_heatmap"):
            jobs = con.execute(
                f"""
                with latest as (
                    select distinct month_start from marts.journey_heatmap
                    order by month_start desc limit {HEATMAP_MONTHS}
                )
                select distinct job from marts.journey_heatmap
                where month_start in (select month_start from latest)
                """
            ).fetchall()
            figures |= {
                "journey-heatmap-" + re.sub(r"[^a-z0-9]+", "-", j.lower()).strip("-")
                for (j,) in jobs
            }
        else:
            notices.add("journey_heatmap")
    return figures, notices


def sample_marts() -> dict[str, pd.DataFrame]:
    """One small frame per mart, the planned ROX and OKR marts included."""
    from report import REPORT_MARTS

    months = pd.date_range("2026-01-01", periods=6, freq="MS")
    heat = pd.DataFrame(
        [
            (m, job, stage, tp, "all", 20, 10, score, tp == "delivery", False)
            for m in months
            for job in ("furnish_home_office", "keep_home_stocked")
            for (stage, tp, score) in (
                ("discover", "website", 78.0),
                ("buy", "checkout", 66.0),
                ("receive", "delivery", 90.0),
                ("get_help", "support", 35.0),
            )
        ],
        columns=list(REPORT_MARTS["journey_heatmap"]),
    )
    return {
        "journey_heatmap": heat,
        "rox_by_initiative": pd.DataFrame(
            {
                "initiative_name": ["SMS delay alerts", "Evening chat"],
                "rox": [2.4, -0.3],
                "rox_ci_low": [1.1, -0.9],
                "rox_ci_high": [3.2, 0.4],
                "formula_version": ["v1", "v1"],
            }
        ),
        "rox_portfolio": pd.DataFrame(
            {
                "investment_kind": ["all", "soft", "hard"],
                "rox": [1.2, -0.3, 2.4],
                "rox_ci_low": [0.5, -0.9, 1.1],
                "rox_ci_high": [1.9, 0.4, 3.2],
            }
        ),
        "rox_score": pd.DataFrame(
            {
                "month_start": months,
                "scope_type": "company",
                "cx_index": [61, 62, 64, 63, 66, 67],
                "ex_index": [55, 57, 56, 58, 60, 59],
                "revenue_at_risk_eur": [9e5, 8.8e5, 8.5e5, 8.4e5, 8e5, 7.9e5],
            }
        ),
        "survey_metrics_monthly": pd.DataFrame(
            {
                "month_start": list(months) * 2,
                "scope_type": "company",
                "metric": ["nps"] * 6 + ["enps"] * 6,
                "metric_value": [-20, -15, -12, -10, -5, -2, 5, 8, 4, 10, 12, 15],
            }
        ),
        "business_kpis": pd.DataFrame(
            {"month_start": months, "revenue_eur": [1e5, 1.2e5, 1.1e5, 1.4e5, 1.5e5, 1.6e5]}
        ),
        "driver_importance": pd.DataFrame(
            {
                "outcome": "likelihood_to_recommend",
                "driver": ["delivery", "support", "product", "website"],
                "importance_pct": [55.0, 25.0, 15.0, 5.0],
                "importance_pct_ci_low": [45.0, 15.0, 8.0, 1.0],
                "importance_pct_ci_high": [65.0, 33.0, 22.0, 9.0],
                "performance_0_100": [88.0, 40.0, 71.0, 74.0],
            }
        ),
        "opportunity_map": pd.DataFrame(
            {
                "job": ["a", "b"],
                "touchpoint_id": ["support", "delivery"],
                "opportunity_score": [24000.0, 18000.0],
                "rank": [1, 2],
            }
        ),
        "action_priorities": pd.DataFrame(
            {"action": ["SMS alerts", "Evening chat"], "priority_score": [1.1, 0.3], "rank": [1, 2]}
        ),
        "okr_objective_progress": pd.DataFrame(
            {
                "objective": ["Orders arrive when promised", "Help arrives fast"],
                "value_stream_id": ["home_office", "home_living"],
                "period_start": pd.Timestamp("2026-04-01"),
                "score": [0.8, 0.2],
                "expected_progress": [0.5, 0.5],
                "status": ["on track", "off track"],
            }
        ),
        "okr_value_stream_progress": pd.DataFrame(
            {"value_stream_id": ["home_office", "home_living"], "score": [0.7, 0.3]}
        ),
        "customer_clv": pd.DataFrame({"clv_horizon_eur": [float(v % 700) for v in range(500)]}),
        "clv_by_segment": pd.DataFrame(
            {"segment": ["consumer", "enterprise"], "revenue_at_risk_eur": [5e5, 2e5]}
        ),
    }


def test_every_chart_of_a_full_report_draws_offline_in_chromium(tmp_path) -> None:
    from datetime import UTC, datetime

    from report import RunInfo, build_report

    report = build_report(sample_marts(), RunInfo("sample-run", datetime.now(UTC)))
    path = tmp_path / "report" / "index.html"
    path.parent.mkdir()
    path.write_text(report.html, encoding="utf-8")

    check = inspect_report(path, ARTIFACTS / "report-sample.png")

    assert_clean(check)
    expected = {i for ids in FIGURES_BY_MART.values() for i in ids}
    expected |= {"journey-heatmap-furnish-home-office", "journey-heatmap-keep-home-stocked"}
    assert set(check.figures) == expected
    assert check.notices == []
    assert check.figures["journey-heatmap-keep-home-stocked"]["cells"] == 4 * 4
    assert check.figures["driver-matrix"]["link"] == f"{UI_BASE}/assets/marts/driver_importance"


def test_a_report_without_marts_shows_notices_and_no_broken_chart(tmp_path) -> None:
    from report import RunInfo, build_report

    path = tmp_path / "index.html"
    path.write_text(build_report({}, RunInfo("empty-run", "now")).html, encoding="utf-8")
    check = inspect_report(path, tmp_path / "empty.png")
    assert check.console_errors == [] and check.left_the_machine == []
    assert check.figures == {}
    assert sorted(check.notices) == sorted(
        # the heatmap is a table, the portfolio ROX the headline tile: notices, not figures
        f"marts.{m}"
        for m in [*FIGURES_BY_MART, "journey_heatmap", "rox_portfolio"]
    )
