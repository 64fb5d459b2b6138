"""The page around the charts: numbers tables, notices, unique figure ids, the HTML shell."""

from __future__ import annotations

import altair as alt
import pandas as pd

from report.page import CSP, Page, Table, document
from report.provenance import RunInfo

RUN = RunInfo("run-1", "today", ui_base="http://ui.test")


def test_a_numbers_table_escapes_and_counts_its_rows() -> None:
    html = Table(["name", "value"], [["<b>", "1"], ["c&d", ""]]).html()
    assert "The numbers (2 rows)" in html
    assert "<td>&lt;b&gt;</td>" in html and "<td>c&amp;d</td>" in html
    assert html.count("<tr>") == 3 and '<th scope="col">name</th>' in html


def test_figures_get_unique_ids_and_notices_say_why() -> None:
    page = Page(RUN)
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x=alt.X("x:Q"))
    page.figure("fig", "customer_clv", "A", chart, description="d")
    page.figure("fig", "customer_clv", "B", chart, description="d")
    assert page.figures == ["fig", "fig-x"] and page.rendered == ["customer_clv"]
    page.notice("rox_score", "no company rows")
    assert page.missing == ["rox_score"]
    assert (
        'id="missing-rox-score"' in page.parts[-1]
        and "marts.rox_score: no company rows" in (page.parts[-1])
    )
    assert page.usable({"x": pd.DataFrame({"a": [1]})}, "x", ["a", "b"]) is None
    assert "cannot chart it, missing columns b" in page.parts[-1]


def test_the_document_carries_the_policy_and_links_the_run() -> None:
    html = document(RUN, [("s", "Section", "")], "<p>body</p>")
    assert html.startswith("<!DOCTYPE html>") and "<main><p>body</p></main>" in html
    assert 'http-equiv="Content-Security-Policy"' in html and "default-src &#x27;none&#x27;" in html
    assert CSP.split(";")[0] == "default-src 'none'" and "script" not in CSP
    assert '<a href="http://ui.test/runs/run-1"><code>run-1</code></a>' in html
    assert '<a href="#s">Section</a>' in html
