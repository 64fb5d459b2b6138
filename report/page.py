"""The page: sections, chart figures with their source caption and numbers, notices for marts
that are missing, headline tiles, and the HTML shell with its style and Content-Security-Policy.

No scripts, fonts, style sheets or images from anywhere, so the page opens offline, and its
Content-Security-Policy makes the browser refuse any request that would leave the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from report.formatting import esc, slug
from report.provenance import RunInfo
from report.shaping import missing_columns
from report.svg import to_svg

# What the sections draw from: one frame per mart, None for a mart not built yet.
Marts = Mapping[str, pd.DataFrame | None]


@dataclass(frozen=True)
class Report:
    html: str
    rendered: list[str]  # marts with at least one chart or headline
    missing: list[str]  # marts shown as a notice instead
    figures: list[str]  # ids of the chart figures, in page order


@dataclass(frozen=True)
class Options:
    """What the caller decides about the page: journey order and the heat thresholds (the
    business settings' `heat_pain_below` and `heat_love_from`)."""

    stage_order: Sequence[str] = ()
    touchpoint_order: Sequence[str] = ()
    heat_pain_below: float = 50.0
    heat_love_from: float = 75.0


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart, written out (for reading, copying and screen readers)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[object]]

    def html(self) -> str:
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in self.rows
        )
        return (
            f'<details class="numbers"><summary>The numbers ({len(self.rows)} rows)</summary>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>"
        )


class Page:
    """Collects sections and remembers which marts were charted and which were missing."""

    def __init__(self, run: RunInfo) -> None:
        self.run = run
        self.parts: list[str] = []
        self.rendered: list[str] = []
        self.missing: list[str] = []
        self.figures: list[str] = []

    def _mark(self, mart: str, rendered: bool) -> None:
        target = self.rendered if rendered else self.missing
        if mart not in target:
            target.append(mart)

    def section(self, section_id: str, title: str, intro: str = "") -> None:
        self.parts.append(f'<section id="{esc(section_id)}"><h2>{esc(title)}</h2>')
        if intro:
            self.parts.append(f'<p class="intro">{esc(intro)}</p>')

    def end_section(self) -> None:
        self.parts.append("</section>")

    def caption(self, mart: str) -> str:
        run_id = self.run.run_of(mart)
        return (
            f"Source: <code>marts.{esc(mart)}</code>, run "
            f'<a class="run-link" href="{esc(self.run.run_url(run_id))}"><code>{esc(run_id)}'
            f"</code></a> \u00b7 "
            f'<a class="asset-link" href="{esc(self.run.asset_url(mart))}">'
            f"open marts/{esc(mart)} in the Dagster UI</a>"
        )

    def figure(
        self,
        figure_id: str,
        mart: str,
        title: str,
        chart,
        *,
        description: str,
        table: Table | None = None,
        note: str = "",
    ) -> None:
        """A chart (an Altair chart, drawn here as inline SVG) with its title, an optional note,
        its numbers and the caption naming its mart and run."""
        figure_id = self._unique(figure_id)
        svg = to_svg(chart, figure_id=figure_id, title=title, description=description)
        self.figures.append(figure_id)
        self._mark(mart, True)
        extra = f'<p class="note">{esc(note)}</p>' if note else ""
        numbers = table.html() if table is not None else ""
        self.parts.append(
            f'<figure class="chart" id="{esc(figure_id)}" data-mart="marts.{esc(mart)}">'
            f'<p class="chart-title">{esc(title)}</p><div class="plot">{svg}</div>{extra}'
            f"{numbers}<figcaption>{self.caption(mart)}</figcaption></figure>"
        )

    def _unique(self, figure_id: str) -> str:
        while figure_id in self.figures:
            figure_id += "-x"
        return figure_id

    def notice(self, mart: str, reason: str = "") -> None:
        """Say plainly that a mart's charts are not here, and why."""
        self._mark(mart, False)
        message = f"not built yet: marts.{mart}" if not reason else f"marts.{mart}: {reason}"
        self.parts.append(
            f'<div class="missing" role="status" id="missing-{esc(slug(mart))}" '
            f'data-mart="marts.{esc(mart)}">{esc(message)}</div>'
        )

    def usable(self, marts: Marts, mart: str, required: Sequence[str]) -> pd.DataFrame | None:
        """The mart's frame if it exists, has rows and has `required`; else a notice and None."""
        frame = marts.get(mart)
        if frame is None or frame.empty:
            self.notice(mart)
            return None
        lacking = missing_columns(frame, required)
        if lacking:
            self.notice(mart, "cannot chart it, missing columns " + ", ".join(lacking))
            return None
        return frame

    def tiles(self, tiles: Sequence[tuple[str, str, str]]) -> None:
        """Headline numbers: (value, label, mart) each (a tile alone does not count as charted)."""
        if not tiles:
            return
        self.parts.append('<div class="tiles">')
        for value, label, mart in tiles:
            self.parts.append(
                f'<div class="tile" data-mart="marts.{esc(mart)}"><span class="tile-value">'
                f'{esc(value)}</span><span class="tile-label">{esc(label)}</span>'
                f'<span class="tile-source">marts.{esc(mart)}</span></div>'
            )
        self.parts.append("</div>")

    def report(self, sections: Sequence[tuple[str, str, str]]) -> Report:
        html = document(self.run, sections, "".join(self.parts))
        return Report(html, list(self.rendered), list(self.missing), list(self.figures))


STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a; font-size: 18px; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 2.1rem; margin: 0.2em 0; }
h2 { font-size: 1.6rem; margin-top: 2em; padding-bottom: 0.2em; border-bottom: 4px solid #0072B2; }
a { color: #004f8c; }
nav a { margin-right: 1em; white-space: nowrap; }
.meta, .intro, .note { color: #444; }
.note { font-size: 0.95rem; margin: 0.4em 0 0; }
figure.chart { margin: 1.5em 0; padding: 16px 18px; border: 1px solid #d0d0d0;
  border-radius: 8px; break-inside: avoid; }
.chart-title { font-size: 1.2rem; font-weight: 700; margin: 0 0 0.6em; }
.plot { overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 0.6em; font-size: 0.9rem; color: #444; }
details.numbers { margin-top: 0.5em; font-size: 0.9rem; }
details.numbers summary { cursor: pointer; color: #004f8c; }
details.numbers table { border-collapse: collapse; margin-top: 0.4em; }
details.numbers th, details.numbers td { border-bottom: 1px solid #e0e0e0; padding: 2px 10px;
  text-align: left; }
code { font-size: 0.9em; }
.missing { margin: 1em 0; padding: 14px 18px; border: 3px dashed #D55E00; border-radius: 8px;
  background: #fff5ee; color: #8a3300; font-weight: 700; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 16px;
  margin: 1em 0; }
.tile { border: 1px solid #d0d0d0; border-radius: 8px; padding: 14px 16px; }
.tile-value { display: block; font-size: 2rem; font-weight: 800; }
.tile-label { display: block; }
.tile-source { display: block; font-size: 0.8rem; color: #666; }
footer { max-width: 1120px; margin: 3em auto 2em; padding: 0 24px; color: #555; font-size: 0.9rem; }
"""

# Nothing may be fetched: no scripts, no fonts, no remote images or styles.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def document(run: RunInfo, sections: Sequence[tuple[str, str, str]], body: str) -> str:
    """The whole HTML document around the sections' `body`."""
    nav = " ".join(f'<a href="#{esc(s)}">{esc(t)}</a>' for s, t, _ in sections)
    run_link = f'<a href="{esc(run.run_url(run.run_id))}"><code>{esc(run.run_id)}</code></a>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>CX and ROX report, {esc(run.built_text)}</title>"
        f"<style>{STYLE}</style></head><body>"
        "<header><h1>CX and ROX report</h1>"
        f'<p class="meta">Built {esc(run.built_text)} by run {run_link}. '
        f'Dagster UI: <a href="{esc(run.ui_base)}">{esc(run.ui_base)}</a>.</p>'
        f"<nav>{nav}</nav></header><main>{body}</main>"
        "<footer>Every chart names the mart and the run it came from; the links open the asset "
        "in the Dagster UI. The charts are drawn by Vega-Altair as static SVG; this page runs no "
        "script and fetches nothing: it works offline.</footer>"
        "</body></html>\n"
    )
