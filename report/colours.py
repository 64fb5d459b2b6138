"""The report's colours: Okabe-Ito for categories, a pain-to-love scale for 0-100 scores."""

from __future__ import annotations

from report.formatting import is_number

# Okabe-Ito: distinguishable with the common colour-vision deficiencies and on a projector.
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#6B6B6B",
)
INK, MUTED, GRID = "#1a1a1a", "#555555", "#d9d9d9"
# Love (blue) to pain (red) through a near-white neutral: ColorBrewer RdBu, colour-blind safe.
PAIN_DARK, PAIN_LIGHT, NEUTRAL, LOVE_LIGHT, LOVE_DARK = (
    "#b2182b",
    "#f4a582",
    "#f7f7f7",
    "#92c5de",
    "#2166ac",
)
EMPTY_CELL = "#e6e6e6"

QUADRANT_COLOURS = {"fix": VERMILLION, "leverage": BLUE, "maintain": GREEN, "monitor": GREY}
STATUS_COLOURS = {
    "on_track": GREEN,
    "done": GREEN,
    "achieved": GREEN,
    "at_risk": ORANGE,
    "behind": ORANGE,
    "off_track": VERMILLION,
    "not_started": GREY,
}


def heat_stops(pain_below: float = 50.0, love_from: float = 75.0) -> list[tuple[float, str]]:
    """Score -> colour stops: dark red at 0, light red at the pain threshold, near-white midway
    between the thresholds, light blue at the love threshold, dark blue at 100."""
    return [
        (0.0, PAIN_DARK),
        (float(pain_below), PAIN_LIGHT),
        ((pain_below + love_from) / 2, NEUTRAL),
        (float(love_from), LOVE_LIGHT),
        (100.0, LOVE_DARK),
    ]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of '#rrggbb' or of 'rgb(r, g, b)' (the form Vega writes)."""
    colour = colour.strip()
    if colour.startswith("rgb("):
        r, g, b = (int(round(float(c))) for c in colour[4:-1].split(","))
        return r, g, b
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _mix(a: str, b: str, t: float) -> str:
    ca, cb = hex_rgb(a), hex_rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def heat_colour(score: float | None, pain_below: float = 50.0, love_from: float = 75.0) -> str:
    """The fill of a 0-100 score on the pain-to-love scale (linear in RGB between the stops,
    as the chart's colour scale is)."""
    if not is_number(score):
        return EMPTY_CELL
    score = min(100.0, max(0.0, float(score)))
    stops = heat_stops(pain_below, love_from)
    for (x0, c0), (x1, c1) in zip(stops, stops[1:], strict=False):
        if score <= x1:
            return _mix(c0, c1, 0.0 if x1 == x0 else (score - x0) / (x1 - x0))
    return LOVE_DARK


def ink_for(fill: str) -> str:
    """Black or white text, whichever reads better on `fill` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 0.4 else INK


def heat_label(score: float | None, pain_below: float = 50.0, love_from: float = 75.0) -> str:
    if not is_number(score):
        return "no data"
    return "pain" if score < pain_below else "love" if score >= love_from else "neutral"


def status_colour(status: object) -> str:
    key = str(status or "").lower().replace(" ", "_").replace("-", "_")
    return STATUS_COLOURS.get(key, BLUE)
