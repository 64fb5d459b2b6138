"""Text for the page: escaping, numbers as people read them (EUR, %, months), ids, round ticks."""

from __future__ import annotations

import html
import math
import re

import pandas as pd

# What a value the marts suppressed for a small sample (is_suppressed) shows as.
TOO_FEW = "too few answers"


def esc(value: object) -> str:
    """Text for HTML or SVG, quotes included (attribute values use it too)."""
    return html.escape("" if value is None else str(value), quote=True)


def is_number(value: object) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def optional_float(value: object) -> float | None:
    """The value as a float, or None when it is missing or not a finite number."""
    return float(value) if is_number(value) else None


def eur(value: float) -> str:
    value = float(value)
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size >= 1e6:
        return f"{sign}EUR {size / 1e6:.1f}M"
    if size >= 1e4:
        return f"{sign}EUR {size / 1e3:.0f}k"
    if size >= 1e3:
        return f"{sign}EUR {size / 1e3:.1f}k"
    return f"{sign}EUR {size:,.0f}"


def pct(value: float) -> str:
    return f"{100 * float(value):.1f}%"


def month(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %y")


def slug(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "blank"


def short(text: object, limit: int) -> str:
    """Cut a label to `limit` characters (the full text stays in the mark's label and table)."""
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
