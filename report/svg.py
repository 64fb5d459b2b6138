"""Altair charts as static, self-contained inline SVG, drawn by vl-convert (no browser, no
network: Vega-Lite and Vega run inside the vl-convert wheel and every data URL is refused).

Each SVG gets a <title> and <desc> for assistive technology, ids prefixed with its figure's id
(Vega numbers gradients and clips with a counter of its runtime; the prefix keeps ids unique on
the page whatever vl-convert does), and is checked for anything a browser would fetch.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import altair as alt
import vl_convert

from report.colours import GRID, INK, MUTED
from report.formatting import esc

# The Vega-Lite version Altair writes specs for (vl-convert bundles it).
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
FONT = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"
# The house style, applied to every chart at conversion.
THEME = {
    "font": FONT,
    "background": "white",
    "padding": 4,
    "view": {"stroke": None},
    # No label is cut by Vega (labelLimit 0): its cutting measures text over and over, which made
    # a chart of long labels 5x slower to draw. Labels are cut in Python (`formatting.short`).
    "axis": {
        "labelLimit": 0,
        "labelFlush": False,  # the last label centred on its tick, not pushed into the one before
        "labelOverlap": True,
        "labelFontSize": 13,
        "labelColor": MUTED,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "titleColor": MUTED,
        "gridColor": GRID,
        "domainColor": MUTED,
        "tickColor": MUTED,
    },
    "legend": {"labelLimit": 0, "labelFontSize": 13, "labelColor": INK},
    "text": {"fontSize": 15, "color": INK},
}
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
_FETCHING_ELEMENTS = {"script", "foreignObject", "image", "iframe", "object", "embed", "style"}


class ChartError(ValueError):
    """A chart could not be drawn as a self-contained SVG."""


def to_svg(chart: alt.TopLevelMixin, *, figure_id: str, title: str, description: str) -> str:
    """The chart as one inline <svg> element for the figure `figure_id`."""
    # Altair's schema validation costs more than the drawing; the tests validate every chart.
    spec = chart.to_dict(validate=False)
    try:
        svg = vl_convert.vegalite_to_svg(
            spec, vl_version=VL_VERSION, config=THEME, allowed_base_urls=[]
        )
    except Exception as error:  # vl-convert raises ValueError with Vega's message
        raise ChartError(f"chart {figure_id}: vl-convert failed: {error}") from error
    svg = scope_ids(svg, f"{figure_id}-")
    svg = label(svg, figure_id, title, description)
    found = external_references(svg)
    if found:
        raise ChartError(f"chart {figure_id} refers to resources outside the page: {found}")
    return svg


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and each reference to it) so SVGs on one page never share an id."""
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    if not ids:
        return svg
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    svg = re.sub(rf'(\sid=")({names})"', lambda m: f'{m[1]}{prefix}{m[2]}"', svg)
    svg = re.sub(rf"url\(#({names})\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    return re.sub(rf'(href=")#({names})"', lambda m: f'{m[1]}#{prefix}{m[2]}"', svg)


def label(svg: str, figure_id: str, title: str, description: str) -> str:
    """Give the SVG a <title> and <desc> and point its accessible name at them."""
    head = re.match(r"<svg\b[^>]*>", svg)
    if head is None:
        raise ChartError(f"chart {figure_id}: vl-convert returned no <svg> element")
    opening = head.group(0)[:-1].replace(' class="marks"', ' class="marks chart-svg"')
    opening += (
        f' role="graphics-document document" aria-labelledby="{esc(figure_id)}-title"'
        f' aria-describedby="{esc(figure_id)}-desc">'
    )
    named = (
        f'<title id="{esc(figure_id)}-title">{esc(title)}</title>'
        f'<desc id="{esc(figure_id)}-desc">{esc(description)}</desc>'
    )
    return opening + named + svg[head.end() :]


def external_references(svg: str) -> list[str]:
    """Everything in `svg` a browser would fetch or run: links and url() that do not point
    inside the SVG, scripts, images, style sheets, embedded documents. Empty when it is
    self-contained (text content and the SVG namespaces are not references)."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    found = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in _FETCHING_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local in ("href", "src") and not value.startswith("#"):
                found.append(f"{local}={value}")
            for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value):
                if not target.startswith("#"):
                    found.append(f"url({target})")
            if local.startswith("on"):
                found.append(f"{local}= handler")
            if re.search(r"https?://|@import", value) and value not in NAMESPACES:
                found.append(f"{local}={value}")
    return found
