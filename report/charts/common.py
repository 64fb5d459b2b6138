"""What the report's charts share: the SVG width, axis label expressions, scales, labels."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

# Every chart is about WIDTH px wide, axes and labels included, so all share one text size (CSS
# only scales a chart down on a narrow screen). Each sets its plot's width to leave room for
# its labels; Vega pads the SVG to hold whatever is drawn, so nothing is ever cut off (its
# "fit" sizing, which shrinks the plot instead, misjudges text drawn past the plot).
WIDTH = 960


def text_px(text: str, size: float = 15) -> float:
    """About how wide `text` is drawn (DejaVu Sans, the widest common sans, ~0.6 em a letter)."""
    return 0.6 * size * len(text)


# Vega expressions for axis labels (the page's EUR style: "EUR 20k", "EUR 1.5M").
EUR_AXIS = "(datum.value < 0 ? '-' : '') + 'EUR ' + format(abs(datum.value), '~s')"
SIGNED_AXIS = "(datum.value > 0 ? '+' : '') + format(datum.value, '~g')"


def unique_labels(labels: Sequence[str]) -> list[str]:
    """Labels made distinct ("Chat", "Chat (2)"), so two rows never share one bar."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def fixed_scale(ticks: Sequence[float], **kwargs) -> alt.Scale:
    return alt.Scale(domain=[ticks[0], ticks[-1]], nice=False, zero=False, **kwargs)
