"""The report's charts as Vega-Altair specs: bars with intervals, columns, a histogram, lines,
the journey heatmap, the driver priority matrix and OKR progress.

Each function takes plain values (numbers shaped by `report.shaping`, labels written by
`report.formatting`) and returns an Altair chart; `report.svg` draws it as static SVG. The main
marks carry a `description` (each mark's accessible label in the SVG) and a layer name, so the
SVG groups them as `<g class="... bar_marks">` and tests can count them.
"""

from report.charts.bars import Bar, bar_chart, column_chart, histogram
from report.charts.common import EUR_AXIS, SIGNED_AXIS, WIDTH, unique_labels
from report.charts.heatmap import heatmap
from report.charts.lines import Series, line_chart
from report.charts.matrix import Driver, priority_matrix
from report.charts.progress import Progress, progress_chart

__all__ = [
    "EUR_AXIS",
    "SIGNED_AXIS",
    "WIDTH",
    "Bar",
    "Driver",
    "Progress",
    "Series",
    "bar_chart",
    "column_chart",
    "heatmap",
    "histogram",
    "line_chart",
    "priority_matrix",
    "progress_chart",
    "unique_labels",
]
