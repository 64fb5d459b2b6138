"""The whole report from small frames: every section's charts drawn from the right rows, the
business thresholds applied, notices for missing marts, escaping, captions, and a page that
fetches nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest

from report import REPORT_MARTS, RunInfo, build_report, report_path
from report.colours import VERMILLION, heat_colour, hex_rgb
from report.formatting import esc
from report.page import CSP
from report.render import SECTIONS
from report.svg import external_references
from tests.helpers import (
    figure_svg,
    mark_position,
    report_figure,
    svg_marks,
    svg_texts,
)
from tests.integration.test_report_browser import FIGURES_BY_MART, sample_marts

RUN = RunInfo("run-42", datetime(2026, 11, 1, 6, 30, tzinfo=UTC), ui_base="http://ui.test:3000/")


def heatmap_frame() -> pd.DataFrame:
    rows = []

    def add(month, job, stage, touchpoint, score, scored, segment="all", moment=False):
        rows.append(
            {
                "month_start": pd.Timestamp(month),
                "job": job,
                "stage_id": stage,
                "touchpoint_id": touchpoint,
                "segment": segment,
                "volume": scored + 1,
                "scored_volume": scored,
                "mean_score_0_100": score,
                "is_moment_that_matters": moment,
            }
        )

    # Latest three months are Feb-Apr; January is too old and must be ignored.
    add("2026-01-01", "furnish", "buy", "checkout", 0.0, 100)
    add("2026-02-01", "furnish", "buy", "checkout", 80.0, 1)
    add("2026-04-01", "furnish", "buy", "checkout", 40.0, 3)
    add("2026-04-01", "furnish", "buy", "checkout", 99.0, 50, segment="consumer")
    add("2026-03-01", "furnish", "receive", "delivery", 90.0, 10, moment=True)
    add("2026-03-01", "furnish", "get_help", "support", 20.0, 5)
    add("2026-03-01", "stock", "receive", "delivery", 70.0, 4)
    return pd.DataFrame(rows)


def driver_frame() -> pd.DataFrame:
    rows = [
        ("retention", "delivery", 90.0, 80.0),
        ("likelihood_to_recommend", "delivery", 55.0, 88.0),
        ("likelihood_to_recommend", "support", 30.0, 40.0),
        ("likelihood_to_recommend", "website", 10.0, 75.0),
        ("likelihood_to_recommend", "checkout", 5.0, 60.0),
    ]
    frame = pd.DataFrame(rows, columns=["outcome", "driver", "importance_pct", "performance_0_100"])
    frame["importance_pct_ci_low"] = frame["importance_pct"] - 5
    frame["importance_pct_ci_high"] = frame["importance_pct"] + 5
    return frame


def labels_of(marks) -> list[str]:
    return [m.get("aria-label", "") for m in marks]


def top_to_bottom(marks) -> list[str]:
    return [m.get("aria-label", "") for m in sorted(marks, key=lambda m: mark_position(m)[1])]


def close(colour: str, expected: str) -> bool:
    return all(abs(a - b) <= 1 for a, b in zip(hex_rgb(colour), hex_rgb(expected), strict=True))


def test_every_heatmap_draws_one_cell_per_stage_and_touchpoint_labelled_with_its_score() -> None:
    html = build_report({"journey_heatmap": heatmap_frame()}, RUN).html
    for job in ("furnish", "stock"):
        cells = svg_marks(figure_svg(html, f"journey-heatmap-{job}"), "cell")
        assert len(cells) == 3 * 3
    svg = figure_svg(html, "journey-heatmap-furnish")
    texts = svg_texts(svg)
    # (80 x 1 + 40 x 3) / 4 = 50: the label is the value and its heat label, not colour alone.
    assert "50" in texts and "neutral \u00b7 n=6" in texts
    assert "90 \u2605" in texts and "20" in texts and texts.count("\u2013") == 9 - 3
    labels = labels_of(svg_marks(svg, "cell"))
    assert "buy x checkout: 50.0/100, neutral, 6 signals" in labels
    assert sum("no signals" in label for label in labels) == 9 - 3


def test_a_suppressed_cell_shows_too_few_answers_not_a_score_or_no_signals() -> None:
    frame = heatmap_frame()
    frame.loc[len(frame)] = {
        "month_start": pd.Timestamp("2026-04-01"),
        "job": "furnish",
        "stage_id": "buy",
        "touchpoint_id": "delivery",
        "segment": "all",
        "volume": 3,
        "scored_volume": 3,
        "mean_score_0_100": None,
        "is_moment_that_matters": False,
    }
    frame["is_suppressed"] = frame["mean_score_0_100"].isna()
    report = build_report({"journey_heatmap": frame}, RUN)
    svg = figure_svg(report.html, "journey-heatmap-furnish")
    labels = labels_of(svg_marks(svg, "cell"))
    assert "buy x delivery: too few answers (3 signals, not published)" in labels
    assert "too few answers" in svg_texts(svg)
    # Only that cell: the other empty cells still have no signals at all.
    assert sum("no signals" in label for label in labels) == 9 - 4
    assert "1 cells with too few answers" in report.html


def test_the_heat_thresholds_decide_each_cells_label_colour_and_legend() -> None:
    def cells(pain: float, love: float) -> tuple[dict[str, tuple[str, str]], list[str]]:
        """Each cell's (label, fill) by "stage x touchpoint", and the legend's labels."""
        html = build_report(
            {"journey_heatmap": heatmap_frame()}, RUN, heat_pain_below=pain, heat_love_from=love
        ).html
        svg = figure_svg(html, "journey-heatmap-furnish")
        legend = [t for g in svg.iter() if "role-legend-label" in g.get("class", "") for t in g]
        found = {
            m.get("aria-label").split(":")[0]: (m.get("aria-label"), m.get("fill"))
            for m in svg_marks(svg, "cell")
        }
        return found, ["".join(t.itertext()) for t in legend]

    default, legend = cells(50, 75)
    assert "pain" in default["get_help x support"][0] and "love" in default["receive x delivery"][0]
    assert legend == ["0 pain", "50", "75", "100 love"]
    assert close(default["get_help x support"][1], heat_colour(20, 50, 75))
    strict, legend = cells(60, 95)
    # 50 is pain below 60, 90 is only neutral below 95; the colours follow the same stops.
    assert "pain" in strict["buy x checkout"][0] and "neutral" in strict["receive x delivery"][0]
    assert legend == ["0 pain", "60", "95", "100 love"]
    assert close(strict["buy x checkout"][1], heat_colour(50, 60, 95))
    assert not close(strict["buy x checkout"][1], default["buy x checkout"][1])
    assert (
        close(default["buy x delivery"][1], "#e6e6e6")
        and "no signals" in (default["buy x delivery"][0])
    )


def test_missing_and_empty_marts_render_a_notice_and_no_chart() -> None:
    report = build_report({"journey_heatmap": heatmap_frame().iloc[0:0]}, RUN)
    assert report.rendered == [] and report.figures == []
    assert sorted(report.missing) == sorted(REPORT_MARTS)
    for mart in REPORT_MARTS:
        assert f"not built yet: marts.{mart}" in report.html
    assert 'class="chart"' not in report.html and "<svg" not in report.html


def test_a_mart_without_the_columns_a_chart_needs_says_which() -> None:
    report = build_report({"opportunity_map": pd.DataFrame({"job": ["a"], "rank": [1]})}, RUN)
    assert "opportunity_map" in report.missing
    assert "marts.opportunity_map: cannot chart it, missing columns opportunity_score" in (
        report.html
    )


def test_a_trend_without_any_value_says_so_instead_of_drawing_nothing() -> None:
    scores = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2026-09-01", "2026-10-01"]),
            "cx_index": [None, None],
            "ex_index": [None, None],
        }
    )
    report = build_report({"rox_score": scores}, RUN)
    assert "cx-ex-index-trend" not in report.figures and "rox_score" in report.missing
    assert "marts.rox_score: no month has a value yet" in report.html


def test_every_text_is_escaped() -> None:
    frame = heatmap_frame()
    frame.loc[frame["job"] == "stock", "job"] = '<script>alert("x")</script>'
    opportunities = pd.DataFrame(
        {"job": ["a&b"], "touchpoint_id": ["<img src=x>"], "opportunity_score": [10.0]}
    )
    run = RunInfo('r"1<', "today", ui_base="http://ui.test")
    html = build_report({"journey_heatmap": frame, "opportunity_map": opportunities}, run).html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x> \u00b7 a&b" in svg_texts(figure_svg(html, "opportunity-ranking"))
    assert "r&quot;1&lt;" in html and 'r"1<' not in html
    assert 'id="journey-heatmap-script-alert-x-script"' in html


def test_the_driver_matrix_labels_its_quadrants_and_uses_recommendation() -> None:
    html = build_report({"driver_importance": driver_frame()}, RUN).html
    svg = figure_svg(html, "driver-matrix")
    captions = {
        "".join(t.itertext())
        for side in ("left", "right")
        for t in svg_marks(svg, f"quadrant_label_{side}")
    }
    assert captions == {
        "Fix: important, weak",
        "Leverage: important, strong",
        "Maintain: less important, strong",
        "Monitor: less important, weak",
    }
    assert "likelihood_to_recommend" in report_figure(html, "driver-matrix")
    # Four recommendation drivers, not the retention one, each with its interval; support (30%
    # > 25%, below the median performance 67.5) is important and weak: the fix colour.
    drivers = svg_marks(svg, "driver")
    assert sorted(label.split(":")[0] for label in labels_of(drivers)) == [
        "checkout",
        "delivery",
        "support",
        "website",
    ]
    assert len(svg_marks(svg, "ci")) == 4
    support = next(m for m in drivers if m.get("aria-label").startswith("support:"))
    assert support.get("fill").lower() == VERMILLION.lower() and "fix" in support.get("aria-label")
    assert "average importance (25%) and median performance (68)" in html


def test_captions_name_the_mart_the_run_and_link_the_asset() -> None:
    frames = {
        "opportunity_map": pd.DataFrame(
            {
                "scope_type": ["job", "job", "territory"],
                "job": ["j1", "j2", "all"],
                "touchpoint_id": ["t1", "t2", "t1"],
                "opportunity_score": [5.0, 9.0, 50.0],
                "rank": [2, 1, 1],
            }
        ),
        "business_kpis": pd.DataFrame(
            {
                "month_start": pd.to_datetime(["2026-09-01", "2026-10-01"]),
                "revenue_eur": [1000.0, 1500.0],
                "churn_rate": [0.1, 0.05],
            }
        ),
    }
    run = RunInfo(
        "run-42", "now", ui_base="http://ui.test:3000/", mart_runs={"business_kpis": "r0"}
    )
    html = build_report(frames, run).html
    opportunities = report_figure(html, "opportunity-ranking")
    text = re.sub(r"<[^>]+>", "", opportunities.split("<figcaption>")[1])
    assert text.startswith("Source: marts.opportunity_map, run run-42")
    assert 'href="http://ui.test:3000/assets/marts/opportunity_map"' in opportunities
    assert 'href="http://ui.test:3000/runs/run-42"' in opportunities
    # The highest score (rank 1) is the top bar; the ranking is of jobs, not territories.
    bars = svg_marks(figure_svg(html, "opportunity-ranking"), "bar")
    assert top_to_bottom(bars) == ["t2 \u00b7 j2: EUR 9", "t1 \u00b7 j1: EUR 5"]
    assert "Source: marts.business_kpis, run r0" in re.sub(r"<[^>]+>", "", html)
    assert len(svg_marks(figure_svg(html, "revenue-trend"), "bar")) == 2
    # Headline tiles: the latest month of business_kpis.
    assert "EUR 1.5k" in html and "5.0%" in html


def test_revenue_at_risk_is_summed_over_jobs_by_segment() -> None:
    frame = pd.DataFrame(
        {
            "segment": ["consumer", "consumer", "enterprise"],
            "job": ["a", "b", "a"],
            "revenue_last_12_months_eur": [400.0, 200.0, 1000.0],
            "revenue_at_risk_eur": [100.0, 50.0, 400.0],
        }
    )
    html = build_report({"clv_by_segment": frame}, RUN).html
    svg = figure_svg(html, "revenue-at-risk-by-segment")
    assert {"EUR 150 (25%)", "EUR 400 (40%)"} <= set(svg_texts(svg))
    assert top_to_bottom(svg_marks(svg, "bar")) == [
        "enterprise: EUR 400 (40%)",
        "consumer: EUR 150 (25%)",
    ]
    assert "EUR 550" in html  # the headline tile: revenue at risk in total


def test_okr_bars_show_the_latest_period_and_rox_uses_its_interval() -> None:
    objectives = pd.DataFrame(
        {
            "objective_id": ["O1", "O1", "O2"],
            "objective": ["Old wording", "Deliver on time", "Fast help"],
            "value_stream_id": ["home", "home", "home"],
            "period_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-01"]),
            "score": [0.1, 0.62, 0.0],
            "expected_progress": [0.5, 0.7, 0.7],
            "status": ["at risk", "on track", "off track"],
        }
    )
    streams = pd.DataFrame(
        {
            "value_stream_id": ["home"],
            "period_start": pd.to_datetime(["2026-10-01"]),
            "score": [0.4],
        }
    )
    initiatives = pd.DataFrame(
        {
            "initiative_id": ["I1", "I2", "I3"],
            "initiative_name": ["SMS alerts", "Chat", "Portal"],
            "investment_kind": ["hard", "soft", "hard"],
            "channel": ["CX -> value", "EX -> CX -> value", "CX -> value"],
            "ex_effect_points": [None, 6.0, None],
            "ex_effect_ci_low": [None, 2.0, None],
            "ex_effect_ci_high": [None, 9.5, None],
            "effect_points": [9.7, 1.2, 3.0],
            "rox": [2.5, -0.4, 0.8],
            "rox_ci_low": [1.5, -1.0, None],
            "rox_ci_high": [3.0, 0.2, None],
            "formula_version": ["v1", "v1", "v1"],
        }
    )
    portfolio = pd.DataFrame(
        {
            "investment_kind": ["all", "soft", "hard"],
            "rox": [0.9, -0.4, 1.6],
            "rox_ci_low": [0.4, -1.0, 1.0],
            "rox_ci_high": [1.5, 0.2, 2.2],
        }
    )
    scores = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-01", "2026-11-01"]),
            "scope_type": ["company", "company", "job", "company"],
            "scope_id": ["all", "all", "x", "all"],
            "cx_index": [60.0, 64.0, 10.0, 65.0],
            "ex_index": [55.0, 58.0, 10.0, 59.0],
            "monthly_rox": [1.1, 1.3, 9.0, None],
            "revenue_at_risk_eur": [5000.0, 7000.0, 1.0, None],
        }
    )
    report = build_report(
        {
            "okr_objective_progress": objectives,
            "okr_value_stream_progress": streams,
            "rox_by_initiative": initiatives,
            "rox_portfolio": portfolio,
            "rox_score": scores,
        },
        RUN,
    )
    okr = figure_svg(report.html, "okr-objectives")
    texts = svg_texts(okr)
    assert "home: Deliver on time" in texts and "home: Fast help" in texts
    assert not any("Old wording" in t for t in texts)
    assert "62% of 70% expected, on track" in texts and len(svg_marks(okr, "expected")) == 2
    assert len(svg_marks(figure_svg(report.html, "okr-value-streams"), "bar")) == 1
    rox = figure_svg(report.html, "rox-by-initiative")
    # Three bars, highest first; two of them have an interval.
    assert [label.split(":")[0] for label in top_to_bottom(svg_marks(rox, "bar"))] == [
        "SMS alerts",
        "Portal",
        "Chat",
    ]
    assert len(svg_marks(rox, "ci")) == 2
    assert "ROX formula v1" in report_figure(report.html, "rox-by-initiative")
    trend = figure_svg(report.html, "cx-ex-index-trend")
    assert {"CX index 65.0", "EX index 59.0"} <= set(svg_texts(trend))
    # The company's three months, two lines: the job scope's 10s are left out.
    assert len(svg_marks(trend, "point")) == 2 * 3
    assert not any(label.endswith(": 10.0") for label in labels_of(svg_marks(trend, "point")))
    # The headline is the portfolio's ROX with its interval and the soft/hard split; no
    # monthly ROX of the company is shown.
    assert ">0.90<" in report.html and ">1.30<" not in report.html
    assert (
        "ROX of the portfolio to date (95% CI 0.40 to 1.50); soft -0.40 (95% CI -1.00 to 0.20); "
        "hard 1.60 (95% CI 1.00 to 2.20)" in report.html
    )
    table = report_figure(report.html, "rox-by-initiative")
    assert "EX -&gt; CX -&gt; value" in table and "EX +6.0 pts (2.00 to 9.50); CX +1.2 pts" in table
    assert "EUR 7.0k" in report.html and "revenue at risk, company, Oct 26" in report.html
    assert {"rox_by_initiative", "rox_score", "okr_objective_progress"} <= set(report.rendered)


def test_a_full_report_draws_every_sections_charts_each_titled_with_its_numbers() -> None:
    marts = sample_marts()
    report = build_report(marts, RUN)
    html = report.html
    expected = {i for ids in FIGURES_BY_MART.values() for i in ids}
    expected |= {"journey-heatmap-furnish-home-office", "journey-heatmap-keep-home-stocked"}
    assert set(report.figures) == expected and report.missing == []
    sections = dict(re.findall(r'<section id="([a-z]+)">(.*?)</section>', html, re.S))
    assert list(sections) == [section.SECTION[0] for section in SECTIONS]
    assert {f for f in expected if f'id="{f}"' in sections["journeys"]} == {
        "journey-heatmap-furnish-home-office",
        "journey-heatmap-keep-home-stocked",
    }
    assert 'id="driver-matrix"' in sections["drivers"] and 'id="okr-objectives"' in sections["okrs"]
    for figure_id in report.figures:
        figure = report_figure(html, figure_id)
        svg = figure_svg(html, figure_id)
        assert svg.find("{http://www.w3.org/2000/svg}title").text, figure_id
        assert svg.find("{http://www.w3.org/2000/svg}desc").text, figure_id
        assert svg.get("aria-labelledby") == f"{figure_id}-title"
        assert '<details class="numbers">' in figure and "<td>" in figure, figure_id
    # One row of numbers per bar, point and cell where the chart has them.
    clv = figure_svg(html, "clv-distribution")
    counts = [int(label.split(": ")[1].split()[0].replace(",", "")) for label in labels_of(
        svg_marks(clv, "bar"))]  # fmt: skip
    assert sum(counts) == len(marts["customer_clv"])
    nps = svg_marks(figure_svg(html, "nps-enps-trend"), "point")
    assert len(nps) == len(marts["survey_metrics_monthly"])


def test_the_page_fetches_nothing_and_its_ids_are_unique() -> None:
    html = build_report(sample_marts(), RUN).html
    assert f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">' in html
    assert CSP.startswith("default-src 'none';") and "script-src" not in CSP
    assert "<script" not in html and " src=" not in html and "@import" not in html
    assert "<link" not in html.replace('<link rel="icon" href="data:,">', "")
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(u.startswith(("#", "data:", "http://ui.test:3000/")) for u in links)
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == len(re.findall('<figure class="chart"', html))
    assert all(external_references(svg) == [] for svg in svgs)
    assert not re.search(r"https?://(?!www\.w3\.org/(2000/svg|1999/xlink)\")", "".join(svgs))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # Every url(#...) points at an id of the same chart.
    for svg in svgs:
        own = set(re.findall(r'\sid="([^"]+)"', svg))
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= own


def test_the_report_sits_beside_the_warehouse(tmp_path) -> None:
    assert report_path(tmp_path / "w" / "rox.duckdb") == tmp_path / "w" / "report" / "index.html"


def test_read_marts_keeps_the_columns_that_exist_and_none_for_absent_marts(tmp_path) -> None:
    from orchestration.report.assets import read_marts, write_atomically

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.customer_clv (clv_horizon_eur double, secret varchar)")
        con.execute("insert into marts.customer_clv values (10, 'x'), (20, 'y')")
        marts = read_marts(con)
    assert list(marts["customer_clv"].columns) == ["clv_horizon_eur"]
    assert marts["customer_clv"]["clv_horizon_eur"].tolist() == [10.0, 20.0]
    assert marts["journey_heatmap"] is None and set(marts) == set(REPORT_MARTS)

    target = tmp_path / "out" / "index.html"
    assert write_atomically(target, "<p>\u00e9</p>") == len("<p>\u00e9</p>".encode())
    write_atomically(target, "<p>two</p>")
    assert target.read_text() == "<p>two</p>"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]


def test_the_asset_writes_the_report_beside_the_warehouse(dbt_manifest, warehouse_env) -> None:
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from orchestration.marts import mart_asset_keys
    from orchestration.report.assets import CX_REPORT, JOURNEY_TOUCHPOINTS, cx_report

    assert cx_report.key == CX_REPORT
    journey = dg.AssetKey(JOURNEY_TOUCHPOINTS.split("."))
    assert set(cx_report.asset_deps[CX_REPORT]) == {*mart_asset_keys(), journey}
    with duckdb.connect(str(warehouse_env)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.customer_clv as select range::double as clv_horizon_eur "
            "from range(50)"
        )
    from orchestration.resources import BusinessSettingsOverrides

    resources = {
        "duckdb": DuckDBResource(database=str(warehouse_env)),
        "business_settings": BusinessSettingsOverrides(),
    }
    result = dg.materialize([cx_report], resources=resources)
    assert result.success
    path = warehouse_env.parent / "report" / "index.html"
    html = path.read_text()
    assert 'id="clv-distribution"' in html and f"run {result.run_id}" in re.sub(
        r"<[^>]+>", "", html
    )
    assert len(svg_marks(figure_svg(html, "clv-distribution"), "bar")) >= 2
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["path"].value == str(path)
    assert metadata["bytes"].value == len(html.encode())
    assert metadata["sections_rendered"].value == ["marts.customer_clv"]
    assert "marts.journey_heatmap" in metadata["sections_missing"].value


@pytest.mark.parametrize("mart", sorted(FIGURES_BY_MART))
def test_each_mart_alone_draws_its_own_charts_and_notices_for_the_rest(mart) -> None:
    marts = sample_marts()
    report = build_report({mart: marts[mart]}, RUN)
    assert report.figures == FIGURES_BY_MART[mart]
    assert set(report.missing) == set(REPORT_MARTS) - {mart}
