"""Inline SVG charts drawn in Python: no JavaScript, fonts or images, so a page works offline.

Every chart is a plain string of SVG with real marks (rects, circles, paths) and every text
escaped. Widths are in viewBox units; CSS scales the picture to the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 960
FONT = 15
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


def esc(value: object) -> str:
    """Text for HTML or SVG, quotes included (attribute values use it too)."""
    return html.escape("" if value is None else str(value), quote=True)


def is_number(value: object) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def short(text: object, limit: int) -> str:
    """Cut a label to `limit` characters (the full text stays in the mark's tooltip)."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]; the first and last are the axis bounds."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    steps = round((stop - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


@dataclass(frozen=True)
class Linear:
    """A linear scale from a data domain to a pixel range."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (float(value) - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _mix(a: str, b: str, t: float) -> str:
    ca, cb = _hex(a), _hex(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def heat_colour(score: float | None, pain_below: float = 50.0, love_from: float = 75.0) -> str:
    """Fill for a 0-100 score: dark red (0) to light red at the pain threshold, near-white in
    the middle of neutral, light blue at the love threshold, dark blue at 100."""
    if not is_number(score):
        return EMPTY_CELL
    score = min(100.0, max(0.0, float(score)))
    middle = (pain_below + love_from) / 2
    stops = [
        (0.0, PAIN_DARK),
        (pain_below, PAIN_LIGHT),
        (middle, NEUTRAL),
        (love_from, LOVE_LIGHT),
        (100.0, LOVE_DARK),
    ]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:], strict=False):
        if score <= x1:
            return _mix(c0, c1, 0.0 if x1 == x0 else (score - x0) / (x1 - x0))
    return LOVE_DARK


def ink_for(fill: str) -> str:
    """Black or white text, whichever reads better on `fill` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _hex(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 0.4 else INK


def heat_label(score: float | None, pain_below: float = 50.0, love_from: float = 75.0) -> str:
    if not is_number(score):
        return "no data"
    return "pain" if score < pain_below else "love" if score >= love_from else "neutral"


# --- primitives --------------------------------------------------------------------------------


def text(
    x: float,
    y: float,
    content: object,
    *,
    anchor: str = "start",
    size: int = FONT,
    weight: str = "normal",
    fill: str = INK,
    cls: str = "",
) -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}"{klass}>{esc(content)}</text>'
    )


def rect(
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    *,
    tip: object = None,
    cls: str = "",
    extra: str = "",
) -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    body = f"<title>{esc(tip)}</title>" if tip is not None else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'fill="{fill}"{klass}{extra}>{body}</rect>'
    )


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str = GRID,
    width: float = 1,
    dash: str = "",
    cls: str = "",
) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    klass = f' class="{esc(cls)}"' if cls else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{width}"{dashed}{klass}/>'
    )


def svg(width: float, height: float, title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
        f"<title>{esc(title)}</title>{''.join(body)}</svg>"
    )


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    colour: str = BLUE
    note: str = ""


def bar_chart(
    bars: Sequence[Bar], *, title: str, fmt: Callable[[float], str], axis_title: str = ""
) -> str:
    """Horizontal bars from zero (negative values go left), with optional interval whiskers."""
    label_w, value_w, row_h, top = 330, 190, 34, 12
    plot_left, plot_right = label_w, WIDTH - value_w
    values = [b.value for b in bars]
    values += [v for b in bars for v in (b.low, b.high) if is_number(v)]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    x = Linear(ticks[0], ticks[-1], plot_left, plot_right)
    bottom = top + row_h * len(bars)
    height = bottom + 48
    body = []
    for t in ticks:
        body.append(line(x(t), top - 4, x(t), bottom, stroke=GRID))
        body.append(text(x(t), bottom + 20, fmt(t), anchor="middle", size=13, fill=MUTED))
    if axis_title:
        body.append(
            text(
                (plot_left + plot_right) / 2,
                bottom + 40,
                axis_title,
                anchor="middle",
                size=13,
                fill=MUTED,
            )
        )
    for i, b in enumerate(bars):
        y = top + i * row_h
        x0, x1 = sorted((x(0), x(b.value)))
        tip = f"{b.label}: {fmt(b.value)}" + (f" ({b.note})" if b.note else "")
        body.append(text(label_w - 10, y + row_h / 2 + 5, short(b.label, 40), anchor="end"))
        body.append(rect(x0, y + 5, max(x1 - x0, 1.5), row_h - 10, b.colour, tip=tip, cls="bar"))
        end = x1
        if is_number(b.low) and is_number(b.high):
            lo, hi, mid = x(b.low), x(b.high), y + row_h / 2
            body.append(line(lo, mid, hi, mid, stroke=INK, width=2, cls="ci"))
            body.append(line(lo, mid - 7, lo, mid + 7, stroke=INK, width=2))
            body.append(line(hi, mid - 7, hi, mid + 7, stroke=INK, width=2))
            end = max(end, hi)
        label = fmt(b.value) + (f"  {b.note}" if b.note else "")
        body.append(text(end + 8, y + row_h / 2 + 5, short(label, 24), weight="600"))
    body.append(line(x(0), top - 4, x(0), bottom, stroke=INK, width=1.5))
    return svg(WIDTH, height, title, body)


def column_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    fmt: Callable[[float], str],
    colour: str = BLUE,
    axis_title: str = "",
    tips: Sequence[str] | None = None,
) -> str:
    """Vertical bars, one per label (a histogram or a monthly series)."""
    left, right, top, plot_h = 90, 20, 16, 260
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    y = Linear(ticks[0], ticks[-1], top + plot_h, top)
    band = (WIDTH - left - right) / max(len(values), 1)
    every = max(1, math.ceil(len(labels) / 12))
    body = []
    for t in ticks:
        body.append(line(left, y(t), WIDTH - right, y(t), stroke=GRID))
        body.append(text(left - 8, y(t) + 5, fmt(t), anchor="end", size=13, fill=MUTED))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = left + i * band
        y0, y1 = sorted((y(0), y(value)))
        tip = tips[i] if tips else f"{label}: {fmt(value)}"
        body.append(
            rect(x0 + band * 0.1, y0, band * 0.8, max(y1 - y0, 1), colour, tip=tip, cls="bar")
        )
        if i % every == 0:
            body.append(
                text(
                    x0 + band / 2,
                    top + plot_h + 20,
                    short(label, 12),
                    anchor="middle",
                    size=12,
                    fill=MUTED,
                )
            )
    body.append(line(left, y(0), WIDTH - right, y(0), stroke=INK, width=1.5))
    height = top + plot_h + (52 if axis_title else 32)
    if axis_title:
        body.append(
            text(
                (left + WIDTH - right) / 2,
                top + plot_h + 42,
                axis_title,
                anchor="middle",
                size=13,
                fill=MUTED,
            )
        )
    return svg(WIDTH, height, title, body)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str


def spread(positions: Sequence[float], gap: float) -> list[float]:
    """Move label positions apart so neighbours are at least `gap` apart, keeping their order."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [float(positions[i]) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    result = [0.0] * len(positions)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Callable[[float], str],
    value_fmt: Callable[[float], str] | None = None,
) -> str:
    """Lines over evenly spaced periods; a missing value breaks the line. The latest value of
    each series is written at its end."""
    value_fmt = value_fmt or fmt
    left, right, top, plot_h = 80, 170, 40, 260
    present = [float(v) for s in series for v in s.values if is_number(v)]
    ticks = nice_ticks(min(present), max(present)) if present else [0.0, 1.0]
    y = Linear(ticks[0], ticks[-1], top + plot_h, top)
    step = (WIDTH - left - right) / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + i * step if len(labels) > 1 else (left + WIDTH - right) / 2

    every = max(1, math.ceil(len(labels) / 12))
    body = []
    for t in ticks:
        body.append(line(left, y(t), WIDTH - right, y(t), stroke=GRID))
        body.append(text(left - 8, y(t) + 5, fmt(t), anchor="end", size=13, fill=MUTED))
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(text(x(i), top + plot_h + 20, label, anchor="middle", size=12, fill=MUTED))
    ends: list[tuple[Series, int, float]] = []
    for n, s in enumerate(series):
        body.append(rect(left + n * 200, 8, 22, 6, s.colour))
        body.append(text(left + n * 200 + 28, 16, s.name, size=14, weight="600"))
        commands, pen_down = [], False
        for i, v in enumerate(s.values):
            if not is_number(v):
                pen_down = False
                continue
            commands.append(f"{'L' if pen_down else 'M'}{x(i):.1f},{y(v):.1f}")
            pen_down = True
        if commands:
            body.append(
                f'<path d="{" ".join(commands)}" fill="none" stroke="{s.colour}" '
                f'stroke-width="3" stroke-linejoin="round" class="series"/>'
            )
        for i, v in enumerate(s.values):
            if is_number(v):
                body.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{s.colour}">'
                    f"<title>{esc(s.name)} {esc(labels[i])}: {esc(value_fmt(float(v)))}</title>"
                    "</circle>"
                )
        last = [(i, float(v)) for i, v in enumerate(s.values) if is_number(v)]
        if last:
            ends.append((s, *last[-1]))
    for (s, i, v), label_y in zip(ends, spread([y(v) for _, _, v in ends], 18), strict=True):
        body.append(
            text(x(i) + 10, label_y + 5, f"{s.name} {value_fmt(v)}", weight="700", fill=s.colour)
        )
    return svg(WIDTH, top + plot_h + 32, title, body)


@dataclass(frozen=True)
class Cell:
    score: float | None
    volume: float = 0
    moment: bool = False


def heatmap_chart(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: dict[tuple[str, str], Cell],
    *,
    title: str,
    pain_below: float = 50.0,
    love_from: float = 75.0,
) -> str:
    """Rows x columns of coloured cells, each labelled with its score, volume and heat label."""
    label_w, top = 150, 50
    cell_w = min(160.0, (WIDTH - label_w - 10) / max(len(columns), 1))
    cell_h = 70
    body = []
    for j, column in enumerate(columns):
        body.append(
            text(
                label_w + (j + 0.5) * cell_w,
                top - 12,
                short(column, 16),
                anchor="middle",
                weight="600",
            )
        )
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(
            text(label_w - 10, y + cell_h / 2 + 5, short(row, 16), anchor="end", weight="600")
        )
        for j, column in enumerate(columns):
            x = label_w + j * cell_w
            cell = cells.get((row, column), Cell(None))
            fill = heat_colour(cell.score, pain_below, love_from)
            ink = ink_for(fill)
            label = heat_label(cell.score, pain_below, love_from)
            if is_number(cell.score):
                tip = (
                    f"{row} x {column}: {cell.score:.1f}/100, {label}, "
                    f"{cell.volume:,.0f} signals" + (", moment that matters" if cell.moment else "")
                )
            else:
                tip = f"{row} x {column}: no signals"
            body.append(
                rect(
                    x + 1,
                    y + 1,
                    cell_w - 2,
                    cell_h - 2,
                    fill,
                    tip=tip,
                    cls="cell",
                    extra=f' data-heat="{esc(label)}"',
                )
            )
            cx = x + cell_w / 2
            if is_number(cell.score):
                star = " \u2605" if cell.moment else ""
                body.append(
                    text(
                        cx,
                        y + 30,
                        f"{cell.score:.0f}{star}",
                        anchor="middle",
                        size=20,
                        weight="700",
                        fill=ink,
                    )
                )
                body.append(
                    text(
                        cx,
                        y + 52,
                        f"{label} \u00b7 n={cell.volume:,.0f}",
                        anchor="middle",
                        size=12,
                        fill=ink,
                    )
                )
            else:
                body.append(text(cx, y + 40, "\u2013", anchor="middle", size=16, fill=MUTED))
    # The legend: the scale from pain to love with the thresholds.
    legend_y = top + len(rows) * cell_h + 24
    scale_w = 420
    for k in range(42):
        score = (k + 0.5) * 100 / 42
        body.append(
            rect(
                label_w + k * scale_w / 42,
                legend_y,
                scale_w / 42 + 0.5,
                16,
                heat_colour(score, pain_below, love_from),
            )
        )
    for value, caption in (
        (0, "0 pain"),
        (pain_below, f"{pain_below:g}"),
        (love_from, f"{love_from:g}"),
        (100, "100 love"),
    ):
        body.append(
            text(
                label_w + value / 100 * scale_w,
                legend_y + 34,
                caption,
                anchor="middle",
                size=12,
                fill=MUTED,
            )
        )
    body.append(
        text(
            label_w + scale_w + 20, legend_y + 13, "\u2605 moment that matters", size=13, fill=MUTED
        )
    )
    return svg(WIDTH, legend_y + 44, title, body)


@dataclass(frozen=True)
class Driver:
    name: str
    importance: float
    performance: float
    low: float | None = None
    high: float | None = None


QUADRANT_COLOURS = {"fix": VERMILLION, "leverage": BLUE, "maintain": GREEN, "monitor": GREY}


def priority_matrix(
    drivers: Sequence[Driver],
    *,
    title: str,
    importance_cut: float,
    performance_cut: float,
    quadrant_of: Callable[[Driver], str],
) -> str:
    """Importance (y) against performance (x), split into the four labelled quadrants."""
    left, right, top, bottom, strip = 80, 30, 20, 440, 34
    highs = [d.high if is_number(d.high) else d.importance for d in drivers]
    y_ticks = nice_ticks(0.0, max([importance_cut, *highs]) * 1.05)
    lows = [d.performance for d in drivers] + [performance_cut]
    x_ticks = nice_ticks(max(0.0, min(lows) - 10), min(100.0, max(lows) + 10))
    x = Linear(x_ticks[0], x_ticks[-1], left, WIDTH - right)
    # Strips above and below the data hold the quadrant labels, so no point can cover them.
    y = Linear(y_ticks[0], y_ticks[-1], bottom - strip, top + strip)
    cx, cy = x(performance_cut), y(importance_cut)
    body = [
        rect(left, top, cx - left, cy - top, "#fde8e0", cls="quadrant"),
        rect(cx, top, WIDTH - right - cx, cy - top, "#e0edf7", cls="quadrant"),
        rect(left, cy, cx - left, bottom - cy, "#efefef", cls="quadrant"),
        rect(cx, cy, WIDTH - right - cx, bottom - cy, "#e2f3ec", cls="quadrant"),
    ]
    for t in y_ticks:
        body.append(line(left, y(t), WIDTH - right, y(t), stroke="#ffffff"))
        body.append(text(left - 8, y(t) + 5, f"{t:g}%", anchor="end", size=13, fill=MUTED))
    for t in x_ticks:
        body.append(text(x(t), bottom + 20, f"{t:g}", anchor="middle", size=13, fill=MUTED))
    body.append(line(cx, top, cx, bottom, stroke=INK, dash="6 4"))
    body.append(line(left, cy, WIDTH - right, cy, stroke=INK, dash="6 4"))
    corners = (
        (left + 10, top + 22, "start", "Fix: important, weak", VERMILLION),
        (WIDTH - right - 10, top + 22, "end", "Leverage: important, strong", BLUE),
        (left + 10, bottom - 11, "start", "Monitor: less important, weak", GREY),
        (WIDTH - right - 10, bottom - 11, "end", "Maintain: less important, strong", GREEN),
    )
    for qx, qy, anchor, caption, colour in corners:
        body.append(
            text(qx, qy, caption, anchor=anchor, weight="700", fill=colour, cls="quadrant-label")
        )
    body.append(
        text(
            (left + WIDTH - right) / 2,
            bottom + 40,
            "performance (mean score 0-100)",
            anchor="middle",
            size=13,
            fill=MUTED,
        )
    )
    body.append(
        f'<text x="18" y="{(top + bottom) / 2:.1f}" font-size="13" fill="{MUTED}" '
        f'text-anchor="middle" transform="rotate(-90 18 {(top + bottom) / 2:.1f})">'
        "importance (% of explained variance)</text>"
    )
    points, labels = [], []
    for d in drivers:
        px, py = x(d.performance), y(d.importance)
        colour = QUADRANT_COLOURS.get(quadrant_of(d), PURPLE)
        if is_number(d.low) and is_number(d.high):
            body.append(line(px, y(d.low), px, y(d.high), stroke=colour, width=2.5, cls="ci"))
        points.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="{colour}" stroke="#ffffff" '
            f'stroke-width="2" class="driver"><title>{esc(d.name)}: importance '
            f"{d.importance:.1f}%, performance {d.performance:.1f}, "
            f"{esc(quadrant_of(d))}</title></circle>"
        )
        labels.append((px, py, d.name))
    # Names of points that sit close together are moved apart vertically.
    placed: list[tuple[float, float, float]] = []
    for px, py, name in sorted(labels, key=lambda item: item[1]):
        width = 9.5 * len(name)
        label_y = py + 5
        for other_x, other_y, other_w in placed:
            overlaps_x = px + 14 < other_x + other_w and other_x < px + 14 + width
            if overlaps_x and abs(label_y - other_y) < 18:
                label_y = other_y + 18
        placed.append((px + 14, label_y, width))
        body.append(text(px + 14, label_y, name, weight="700"))
    return svg(WIDTH, bottom + 50, title, [*body, *points])


@dataclass(frozen=True)
class Progress:
    label: str
    score: float
    expected: float | None = None
    status: str = ""


STATUS_COLOURS = {
    "on_track": GREEN,
    "done": GREEN,
    "achieved": GREEN,
    "at_risk": ORANGE,
    "behind": ORANGE,
    "off_track": VERMILLION,
    "not_started": GREY,
}


def progress_chart(items: Sequence[Progress], *, title: str) -> str:
    """One 0-100% bar per item, its name above it, a mark where it should be by now, and its
    status."""
    left, value_w, row_h, top = 10, 300, 64, 6
    x = Linear(0, 1, left, WIDTH - value_w)
    bottom = top + row_h * len(items)
    body = []
    for t in (0, 0.25, 0.5, 0.75, 1):
        body.append(line(x(t), top + 24, x(t), bottom, stroke=GRID))
        body.append(text(x(t), bottom + 20, f"{t:.0%}", anchor="middle", size=13, fill=MUTED))
    for i, item in enumerate(items):
        y = top + i * row_h
        status = (item.status or "").lower().replace(" ", "_").replace("-", "_")
        colour = STATUS_COLOURS.get(status, BLUE)
        score = min(1.0, max(0.0, float(item.score)))
        body.append(text(left, y + 18, short(item.label, 95), weight="600"))
        bar_y, bar_h = y + 26, row_h - 36
        body.append(rect(x(0), bar_y, x(1) - x(0), bar_h, "#eeeeee", cls="track"))
        tip = f"{item.label}: {item.score:.0%}"
        if is_number(item.expected):
            tip += f", expected {float(item.expected):.0%} by now"
        body.append(rect(x(0), bar_y, max(x(score) - x(0), 3), bar_h, colour, tip=tip, cls="bar"))
        note = f"{item.score:.0%}"
        if is_number(item.expected):
            expected = min(1.0, max(0.0, float(item.expected)))
            body.append(
                line(
                    x(expected),
                    bar_y - 4,
                    x(expected),
                    bar_y + bar_h + 4,
                    stroke=INK,
                    width=3,
                    cls="expected",
                )
            )
            note += f" of {float(item.expected):.0%} expected"
        if item.status:
            note += f", {str(item.status).replace('_', ' ')}"
        body.append(
            text(
                x(1) + 12,
                bar_y + bar_h / 2 + 5,
                short(note, 32),
                weight="700",
            )
        )
    return svg(WIDTH, bottom + 30, title, body)
