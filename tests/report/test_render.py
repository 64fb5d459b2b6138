"""The report's HTML from small frames: escaping, notices, heatmap grid, quadrants, captions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest

from report import REPORT_MARTS, RunInfo, build_report, report_path
from report.render import clv_histogram, heatmap_grid
from report.svg import LOVE_DARK, PAIN_DARK, VERMILLION, heat_colour, ink_for, nice_ticks

RUN = RunInfo("run-42", datetime(2026, 11, 1, 6, 30, tzinfo=UTC), ui_base="http://ui.test:3000/")


def figure(html: str, figure_id: str) -> str:
    match = re.search(rf'<figure class="chart" id="{re.escape(figure_id)}".*?</figure>', html, re.S)
    assert match, f"no figure {figure_id}"
    return match.group(0)


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


def test_heatmap_weights_by_scored_volume_over_the_latest_three_months_of_segment_all() -> None:
    grid = heatmap_grid(heatmap_frame(), stage_order=["discover", "buy", "receive", "get_help"])
    assert grid.months == [
        pd.Timestamp("2026-02-01"),
        pd.Timestamp("2026-03-01"),
        pd.Timestamp("2026-04-01"),
    ]
    assert list(grid.jobs) == ["furnish", "stock"]
    # (80 x 1 + 40 x 3) / 4 = 50; January's 0 and the consumer segment's 99 are left out.
    checkout = grid.jobs["furnish"][("buy", "checkout")]
    assert checkout.score == pytest.approx(50.0)
    assert checkout.volume == 2 + 4
    assert grid.jobs["furnish"][("receive", "delivery")].moment
    # Stages follow the journey order given ("discover" has no cells so is not a row).
    assert grid.stages == ["buy", "receive", "get_help"]
    assert grid.touchpoints == ["checkout", "delivery", "support"]


def test_every_heatmap_has_one_cell_per_stage_and_touchpoint() -> None:
    html = build_report({"journey_heatmap": heatmap_frame()}, RUN).html
    for job in ("furnish", "stock"):
        chart = figure(html, f"journey-heatmap-{job}")
        assert chart.count('class="cell"') == 3 * 3
        assert 'data-mart="marts.journey_heatmap"' in chart
    furnish = figure(html, "journey-heatmap-furnish")
    # The cell is labelled with its value and its label, not colour alone.
    assert ">50<" in furnish and "neutral \u00b7 n=6" in furnish
    assert ">90 \u2605<" in furnish and ">20<" in furnish
    assert furnish.count('data-heat="pain"') == 1 and furnish.count('data-heat="love"') == 1
    assert furnish.count('data-heat="no data"') == 9 - 3


def test_the_colour_scale_runs_from_pain_to_love_and_text_stays_readable() -> None:
    assert heat_colour(0) == PAIN_DARK and heat_colour(100) == LOVE_DARK
    assert heat_colour(None) != heat_colour(62.5)
    assert ink_for(PAIN_DARK) == "#ffffff" and ink_for(LOVE_DARK) == "#ffffff"
    assert ink_for(heat_colour(62.5)) == "#1a1a1a"
    # Blue minus red rises with the score: from red (pain) through white to blue (love).
    colours = [heat_colour(s) for s in (0, 10, 40, 55, 70, 80, 95, 100)]
    blueness = [int(c[5:7], 16) - int(c[1:3], 16) for c in colours]
    assert blueness == sorted(blueness) and len(set(colours)) == len(colours)


def test_missing_and_empty_marts_render_a_notice_and_no_chart() -> None:
    report = build_report({"journey_heatmap": heatmap_frame().iloc[0:0]}, RUN)
    assert report.rendered == [] and report.figures == []
    assert sorted(report.missing) == sorted(REPORT_MARTS)
    for mart in REPORT_MARTS:
        assert f"not built yet: marts.{mart}" in report.html
    assert 'class="chart"' not in report.html


def test_a_mart_without_the_columns_a_chart_needs_says_which() -> None:
    report = build_report({"opportunity_map": pd.DataFrame({"job": ["a"], "rank": [1]})}, RUN)
    assert "opportunity_map" in report.missing
    assert "marts.opportunity_map: cannot chart it, missing columns opportunity_score" in (
        report.html
    )


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
    assert "&lt;img src=x&gt; \u00b7 a&amp;b" in html
    assert "r&quot;1&lt;" in html and 'r"1<' not in html
    assert 'id="journey-heatmap-script-alert-x-script"' in html


def test_the_driver_matrix_labels_its_quadrants_and_uses_recommendation() -> None:
    report = build_report({"driver_importance": driver_frame()}, RUN)
    chart = figure(report.html, "driver-matrix")
    for caption in (
        "Fix: important, weak",
        "Leverage: important, strong",
        "Maintain: less important, strong",
        "Monitor: less important, weak",
    ):
        assert f'class="quadrant-label">{caption}</text>' in chart
    assert "likelihood_to_recommend" in chart
    # Four recommendation drivers, not the retention one; support (30% > 25%, below the
    # median performance 67.5) is important and weak: the fix colour.
    assert chart.count('class="driver"') == 4
    support = re.search(r'<circle[^>]*fill="([^"]+)"[^>]*class="driver"><title>support', chart)
    assert support and support.group(1) == VERMILLION
    assert "average importance (25%) and median performance (68)" in chart


def test_captions_name_the_mart_the_run_and_link_the_asset() -> None:
    frames = {
        "opportunity_map": pd.DataFrame(
            {
                "job": ["j1", "j2"],
                "touchpoint_id": ["t1", "t2"],
                "opportunity_score": [5.0, 9.0],
                "rank": [2, 1],
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
    opportunities = figure(html, "opportunity-ranking")
    assert "Source: <code>marts.opportunity_map</code>, run" in opportunities
    text = re.sub(r"<[^>]+>", "", opportunities)
    assert "Source: marts.opportunity_map, run run-42" in text
    assert 'href="http://ui.test:3000/assets/marts/opportunity_map"' in opportunities
    assert 'href="http://ui.test:3000/runs/run-42"' in opportunities
    # The highest score (rank 1) is the first bar.
    assert opportunities.index("t2 \u00b7 j2") < opportunities.index("t1 \u00b7 j1")
    assert "Source: marts.business_kpis, run r0" in re.sub(r"<[^>]+>", "", html)
    # Headline tiles: the latest month of business_kpis.
    assert "EUR 1.5k" in html and "5.0%" in html


def test_clv_histogram_bins_every_customer_and_folds_the_top_percent_into_the_last_bin() -> None:
    values = pd.Series([float(v) for v in range(0, 1000)] + [1_000_000.0])
    edges, counts = clv_histogram(values)
    assert sum(counts) == 1001
    assert edges[0] == 0 and edges[-1] >= 989  # the 99th percentile, not the outlier
    assert counts[-1] >= 2  # the outlier is in the last bin
    assert clv_histogram(pd.Series([], dtype=float)) == ([], [])
    assert nice_ticks(0, 989, 20)[:3] == [0, 50, 100]


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
    chart = figure(html, "revenue-at-risk-by-segment")
    assert "EUR 150  (25%)" in chart and "EUR 400  (40%)" in chart
    assert chart.index(">enterprise<") < chart.index(">consumer<")
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
            "initiative_id": ["I1", "I2"],
            "initiative_name": ["SMS alerts", "Chat"],
            "rox": [2.5, -0.4],
            "rox_ci_low": [1.5, -1.0],
            "rox_ci_high": [3.0, 0.2],
            "formula_version": ["v1", "v1"],
        }
    )
    scores = pd.DataFrame(
        {
            "month_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-01", "2026-11-01"]),
            "scope_type": ["company", "company", "job", "company"],
            "scope_id": ["all", "all", "x", "all"],
            "cx_index": [60.0, 64.0, 10.0, 65.0],
            "ex_index": [55.0, 58.0, 10.0, 59.0],
            "rox": [1.1, 1.3, 9.0, None],
            "revenue_at_risk_eur": [5000.0, 7000.0, 1.0, None],
        }
    )
    report = build_report(
        {
            "okr_objective_progress": objectives,
            "okr_value_stream_progress": streams,
            "rox_by_initiative": initiatives,
            "rox_score": scores,
        },
        RUN,
    )
    okr = figure(report.html, "okr-objectives")
    assert "Deliver on time" in okr and "Fast help" in okr and "Old wording" not in okr
    assert "62% of 70% expected, on track" in okr and okr.count('class="expected"') == 2
    assert figure(report.html, "okr-value-streams").count('class="bar"') == 1
    rox = figure(report.html, "rox-by-initiative")
    assert rox.count('class="bar"') == 2 and rox.count('class="ci"') == 2
    assert rox.index("SMS alerts") < rox.index("Chat") and "ROX formula v1" in rox
    trend = figure(report.html, "cx-ex-index-trend")
    assert "CX index 65.0" in trend and "EX index 59.0" in trend
    # The company's latest month with a value: ROX and revenue at risk from rox_score.
    assert ">1.30<" in report.html and "ROX, company, Oct 26" in report.html
    assert "EUR 7.0k" in report.html and "revenue at risk, company, Oct 26" in report.html
    assert {"rox_by_initiative", "rox_score", "okr_objective_progress"} <= set(report.rendered)


def test_the_page_fetches_nothing() -> None:
    html = build_report({"journey_heatmap": heatmap_frame()}, RUN).html
    assert "<script" not in html and " src=" not in html and "@import" not in html
    assert "<link" not in html.replace('<link rel="icon" href="data:,">', "")
    assert "default-src &#x27;none&#x27;" in html
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(u.startswith(("#", "data:", "http://ui.test:3000/")) for u in links)


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
    from orchestration.report.assets import CX_REPORT, cx_report

    assert cx_report.key == CX_REPORT
    assert set(cx_report.asset_deps[CX_REPORT]) == set(mart_asset_keys())
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
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["path"].value == str(path)
    assert metadata["bytes"].value == len(html.encode())
    assert metadata["sections_rendered"].value == ["marts.customer_clv"]
    assert "marts.journey_heatmap" in metadata["sections_missing"].value
