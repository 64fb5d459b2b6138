"""Charts become self-contained inline SVG: titled, ids scoped to their figure, and nothing a
browser would fetch; a chart that asks for outside data fails with its figure named."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest

from report.svg import ChartError, external_references, label, scope_ids, to_svg

SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def gradient_chart() -> alt.Chart:
    """A chart whose legend is a gradient (an id and a url(#id) reference in the SVG)."""
    data = pd.DataFrame({"x": ["a", "b"], "score": [10.0, 90.0]})
    return alt.Chart(data).mark_rect().encode(x=alt.X("x:N"), color=alt.Color("score:Q"))


def test_the_svg_is_titled_described_and_self_contained() -> None:
    svg = to_svg(gradient_chart(), figure_id="fig-1", title="A & B", description="two <cells>")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "A & B" and root.find(f"{ns}desc").text == "two <cells>"
    assert root.get("aria-labelledby") == "fig-1-title"
    assert root.get("aria-describedby") == "fig-1-desc"
    assert external_references(svg) == []
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    assert ids and all(i.startswith("fig-1-") for i in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= ids


def test_two_conversions_of_one_chart_share_no_id() -> None:
    first = to_svg(gradient_chart(), figure_id="one", title="t", description="d")
    second = to_svg(gradient_chart(), figure_id="two", title="t", description="d")
    ids = lambda svg: set(re.findall(r'\sid="([^"]+)"', svg))  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)


def test_scope_ids_rewrites_ids_and_their_references_only() -> None:
    svg = (
        f'<svg {SVG_NS}><defs><linearGradient id="g1"/></defs>'
        '<path fill="url(#g1)"/><use xlink:href="#g1"/><text>id="g1" url(#g1) in text</text></svg>'
    )
    scoped = scope_ids(svg, "f-")
    assert 'id="f-g1"' in scoped and 'fill="url(#f-g1)"' in scoped
    assert 'xlink:href="#f-g1"' in scoped
    assert scope_ids(f"<svg {SVG_NS}/>", "f-") == f"<svg {SVG_NS}/>"


@pytest.mark.parametrize(
    "body, found",
    [
        ('<image href="https://example.com/a.png"/>', "<image>"),
        ('<use xlink:href="other.svg#a"/>', "href=other.svg#a"),
        (
            '<path style="fill: url(http://example.com/p.svg#x)"/>',
            "url(http://example.com/p.svg#x)",
        ),
        ("<script>fetch('/x')</script>", "<script>"),
        ('<g onload="go()"/>', "onload= handler"),
        ("<style>@import 'x.css';</style>", "<style>"),
        ('<a href="https://example.com/"><text>x</text></a>', "href=https://example.com/"),
    ],
)
def test_external_references_finds_what_a_browser_would_fetch(body, found) -> None:
    assert found in external_references(f"<svg {SVG_NS}>{body}</svg>")


def test_text_and_inner_references_are_not_external() -> None:
    svg = (
        f'<svg {SVG_NS}><defs><clipPath id="c"/></defs><g clip-path="url(#c)">'
        "<text>see https://example.com in the docs</text></g></svg>"
    )
    assert external_references(svg) == []
    assert external_references("<svg><unclosed></svg>")[0].startswith("not well-formed XML")


def test_label_names_the_chart_even_when_vega_set_no_class() -> None:
    labelled = label(f'<svg {SVG_NS} width="10"><g/></svg>', "f", "T", "D")
    assert labelled.startswith(f'<svg {SVG_NS} width="10" role="graphics-document document"')
    assert '<title id="f-title">T</title><desc id="f-desc">D</desc><g/>' in labelled
    with pytest.raises(ChartError, match="no <svg> element"):
        label("<html/>", "f", "T", "D")


def test_a_chart_that_asks_for_outside_data_fails_and_names_its_figure() -> None:
    chart = alt.Chart(alt.UrlData("https://example.com/rows.csv")).mark_point()
    with pytest.raises(
        ChartError,
        match=r"(?s)chart remote: vl-convert failed: .*url not allowed: https://example.com",
    ):
        to_svg(chart, figure_id="remote", title="t", description="d")
