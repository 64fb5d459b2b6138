"""Shaping the marts for the charts: heatmap cells, histogram bins, quadrants, latest rows and
label positions."""

from __future__ import annotations

import pandas as pd
import pytest

from report.formatting import nice_ticks
from report.shaping import clv_histogram, heatmap_grid, label_rows, latest_known, quadrant, spread
from tests.report.test_render import heatmap_frame


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


def test_clv_histogram_bins_every_customer_and_folds_the_top_percent_into_the_last_bin() -> None:
    values = pd.Series([float(v) for v in range(0, 1000)] + [1_000_000.0])
    edges, counts = clv_histogram(values)
    assert sum(counts) == 1001
    assert edges[0] == 0 and edges[-1] >= 989  # the 99th percentile, not the outlier
    assert counts[-1] >= 2  # the outlier is in the last bin
    assert clv_histogram(pd.Series([], dtype=float)) == ([], [])
    assert nice_ticks(0, 989, 20)[:3] == [0, 50, 100]


def test_a_quadrant_the_mart_names_wins_else_the_cuts_decide() -> None:
    cuts = (25.0, 67.5)
    assert quadrant("leverage", 1.0, 1.0, cuts) == "leverage"
    assert quadrant(None, 30.0, 40.0, cuts) == "fix"
    assert quadrant(float("nan"), 30.0, 90.0, cuts) == "leverage"
    assert quadrant("", 25.0, 67.5, cuts) == "maintain"  # at the average: not important
    assert quadrant(None, 5.0, 60.0, cuts) == "monitor"


def test_the_latest_known_value_skips_months_without_one() -> None:
    frame = pd.DataFrame(
        {"month_start": pd.to_datetime(["2026-10-01", "2026-09-01", "2026-11-01"]),
         "rox": [1.3, 1.1, None]}
    )  # fmt: skip
    assert latest_known(frame, "rox")["rox"] == 1.3
    assert latest_known(frame, "missing") is None
    assert latest_known(frame.assign(rox=None), "rox") is None


def test_spread_keeps_the_order_and_the_gap() -> None:
    assert spread([10.0, 12.0, 50.0], 5.0) == [10.0, 15.0, 50.0]
    assert spread([12.0, 10.0], 5.0) == [15.0, 10.0]


def test_names_beside_close_points_move_apart_and_clear_other_points() -> None:
    # Two points 2 px apart at nearly the same height; a third far away stays where it is.
    points = [(100.0, 3.0, "website"), (98.0, 2.5, "checkout"), (600.0, 2.6, "delivery")]
    assert label_rows(points, gap=1.0, char_width=9.5, dot=14) == [3.5, 2.5, 2.6]
    # A name that would run over another point moves above it; that point's name stays.
    points = [(100.0, 5.0, "long name"), (140.0, 5.2, "x")]
    assert label_rows(points, gap=1.0, char_width=9.5, dot=14) == pytest.approx([6.2, 5.2])
