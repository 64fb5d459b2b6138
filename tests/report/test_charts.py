"""Each chart is a valid Vega-Lite spec and draws one mark per row of its data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from report import charts
from report.shaping import Cell
from report.svg import to_svg
from tests.helpers import mark_position, svg_marks, svg_texts

MONTHS = [f"M{i:02d}" for i in range(24)]


def draw(chart) -> ET.Element:
    chart.to_dict(validate=True)  # Altair's schema check (the report skips it for speed)
    return ET.fromstring(to_svg(chart, figure_id="t", title="t", description="d"))


def test_bars_one_per_row_whiskers_only_where_there_is_an_interval() -> None:
    bars = [
        charts.Bar("up", 2.5, "2.50", "up: 2.50", 1.5, 3.0),
        charts.Bar("down", -0.4, "-0.40", "down: -0.40", -1.0, 0.2),
        charts.Bar("unknown", 0.8, "0.80", "unknown: 0.80"),
    ]
    svg = draw(charts.bar_chart(bars, axis_label="format(datum.value, '.2f')", axis_title="ROX"))
    drawn = svg_marks(svg, "bar")
    assert sorted(m.get("aria-label") for m in drawn) == [
        "down: -0.40",
        "unknown: 0.80",
        "up: 2.50",
    ]
    assert len(svg_marks(svg, "ci")) == 2
    # In the given order from the top; the negative bar starts left of the others (at its value).
    by_y = sorted(drawn, key=lambda m: mark_position(m)[1])
    assert [m.get("aria-label").split(":")[0] for m in by_y] == ["up", "down", "unknown"]
    assert mark_position(by_y[1])[0] < mark_position(by_y[0])[0]
    assert {"2.50", "-0.40", "0.80", "ROX"} <= set(svg_texts(svg))


def test_two_rows_with_the_same_label_keep_a_bar_each() -> None:
    assert charts.unique_labels(["Chat", "SMS", "Chat"]) == ["Chat", "SMS", "Chat (2)"]
    bars = [charts.Bar("Chat", 1.0, "1", "a"), charts.Bar("Chat", 2.0, "2", "b")]
    assert len(svg_marks(draw(charts.bar_chart(bars, axis_label="datum.label")), "bar")) == 2


def test_columns_and_histogram_draw_every_period_and_bin() -> None:
    values = [1000.0 * i for i in range(24)]
    svg = draw(charts.column_chart(MONTHS, values, MONTHS, axis_label=charts.EUR_AXIS))
    assert len(svg_marks(svg, "bar")) == 24
    assert "EUR 20k" in svg_texts(svg)
    svg = draw(
        charts.histogram(
            [0.0, 100.0, 200.0, 300.0], [5, 0, 2], ["a", "b", "c"], axis_title="CLV", colour="#000"
        )
    )
    assert [m.get("aria-label") for m in svg_marks(svg, "bar")] == ["a", "b", "c"]


def test_a_line_has_a_point_per_value_and_its_latest_value_at_the_end() -> None:
    cx = [50.0 + i % 5 for i in range(24)]
    ex = [None if i == 5 else 40.0 + i % 3 for i in range(24)]
    series = [
        charts.Series("CX index", cx, "#0072B2", [f"{v:.1f}" for v in cx]),
        charts.Series("EX index", ex, "#E69F00", [f"{v:.1f}" if v else "" for v in ex]),
    ]
    svg = draw(charts.line_chart(MONTHS, series, axis_label="format(datum.value, '~g')"))
    assert len(svg_marks(svg, "point")) == 24 + 23
    assert len(svg_marks(svg, "series")) == 2
    assert {"CX index 53.0", "EX index 42.0"} <= set(svg_texts(svg))
    assert "EX index M05: " not in " ".join(m.get("aria-label") for m in svg_marks(svg, "point"))


def test_the_heatmap_draws_empty_cells_too_and_cuts_long_names() -> None:
    stages = ["discover", "buy"]
    touchpoints = ["website", "a_very_long_touchpoint_name", "support"]
    cells = {("buy", "support"): Cell(40.0, 12, True), ("discover", "website"): Cell(80.0, 3)}
    svg = draw(charts.heatmap(stages, touchpoints, cells, pain_below=50, love_from=75))
    assert len(svg_marks(svg, "cell")) == 2 * 3
    texts = svg_texts(svg)
    assert "40 \u2605" in texts and "pain \u00b7 n=12" in texts and "love \u00b7 n=3" in texts
    assert "a_very_long_tou\u2026" in texts and texts.count("\u2013") == 4


def test_the_priority_matrix_draws_each_driver_and_keeps_close_names_apart() -> None:
    drivers = [
        charts.Driver("delivery", 58.0, 88.0, "leverage", 46.0, 70.0),
        charts.Driver("website", 3.0, 74.0, "maintain", 1.0, 6.0),
        charts.Driver("checkout", 2.5, 71.5, "maintain"),
    ]
    svg = draw(charts.priority_matrix(drivers, importance_cut=20.0, performance_cut=72.0))
    assert len(svg_marks(svg, "driver")) == 3 and len(svg_marks(svg, "ci")) == 2
    names = {"".join(t.itertext()): mark_position(t) for t in svg.iter() if t.tag.endswith("text")}
    # website and checkout sit 2.5 points apart: their names are at least a line apart.
    assert abs(names["website"][1] - names["checkout"][1]) >= 17


def test_progress_bars_mark_what_is_expected_by_now() -> None:
    items = [
        charts.Progress("a: first", 0.62, 0.7, "on_track"),
        charts.Progress("b: second", 0.0, None, ""),
        charts.Progress("c: third", 1.4, 0.5, "done"),
    ]
    svg = draw(charts.progress_chart(items))
    assert len(svg_marks(svg, "bar")) == 3 and len(svg_marks(svg, "expected")) == 2
    texts = svg_texts(svg)
    assert "62% of 70% expected, on track" in texts and "0%" in texts and "a: first" in texts


@pytest.mark.parametrize("count", [1, 15])
def test_bar_charts_grow_with_their_rows_and_keep_the_page_width(count) -> None:
    label = "Reply-time targets and staffing to them"  # 39 characters: the longest kept whole
    bars = [charts.Bar(f"{label} {i}", 1e6 * (i + 1), "EUR 1.5M (40%)", "d") for i in range(count)]
    svg = draw(charts.bar_chart(bars, axis_label=charts.EUR_AXIS))
    assert float(svg.get("height")) >= 34 * count
    # Long labels and values fit beside a narrower plot: the chart stays about WIDTH wide.
    assert charts.WIDTH - 200 < float(svg.get("width")) <= charts.WIDTH + 20
