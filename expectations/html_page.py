"""A validation result as one self-contained HTML page: inline CSS, no scripts, no links out,
so it opens offline from the check's metadata. (GE's Data Docs need a file-backed context.)"""

from __future__ import annotations

import html
from pathlib import Path

from expectations.quarantine import QUARANTINE_TABLE, BadRow
from expectations.runner import SuiteOutcome

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d2330; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
p.meta { color: #5a6272; margin: 0 0 1.2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #dde1e8; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f3f5f8; }
tr.fail td { background: #fdecec; }
td.status { font-weight: 600; }
tr.fail td.status { color: #b3261e; }
tr.pass td.status { color: #1e7b34; }
code { font: 12px ui-monospace, monospace; background: #eef1f5; padding: 0 .2rem; }
"""


def render_validation_page(
    outcome: SuiteOutcome, run_id: str, quarantined: list[BadRow] | None = None
) -> str:
    """Every expectation with result, observed value, unexpected count and samples (with the
    file and line they came from, where known); failures first; then the quarantined rows."""
    e = html.escape
    rows = []
    for r in sorted(outcome.results, key=lambda r: r.success):
        samples = " ".join(f"<code>{e(v)}</code>" for v in r.samples)
        unexpected = "" if r.unexpected_count is None else f"{r.unexpected_count:,}"
        status = "pass" if r.success else "fail"
        rows.append(
            f'<tr class="{status}"><td>{e(r.expectation)}</td>'
            f'<td class="status">{status.upper()}</td><td>{e(r.observed)}</td>'
            f"<td>{unexpected}</td><td>{samples}</td></tr>"
        )
    title = f"{outcome.suite} on {outcome.table}"
    verdict = f"{len(outcome.failures)} of {len(outcome.results)} expectations failed"
    scope = f" ({outcome.scope})" if outcome.scope else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Validation: {e(title)}</h1>"
        f'<p class="meta">{e(verdict)}; {outcome.rows:,} rows validated{e(scope)}; '
        f"run {e(run_id)}</p>"
        "<table><thead><tr><th>expectation</th><th>result</th><th>observed</th>"
        "<th>unexpected</th><th>sample bad values</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + _quarantine_section(quarantined or [])
        + "</body></html>\n"
    )


def _quarantine_section(quarantined: list[BadRow]) -> str:
    if not quarantined:
        return ""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r.location.file_name if r.location else '')}</td>"
        f"<td>{e(_position(r))}</td><td>{e(r.expectation)}</td><td><code>{e(r.value)}</code></td></tr>"
        for r in sorted(quarantined, key=lambda r: (_position_key(r), r.expectation))
    )
    count = len({r.row_id for r in quarantined})
    return (
        f"<h2>Quarantined: {count:,} row(s) moved to {e(QUARANTINE_TABLE)}</h2>"
        "<table><thead><tr><th>file</th><th>line</th><th>expectation</th><th>value</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _position(row: BadRow) -> str:
    if row.location is None:
        return ""
    where = row.location
    return (
        f"line {where.line_number}"
        if where.line_number is not None
        else f"record {where.record_number}"
    )


def _position_key(row: BadRow) -> tuple:
    return (row.location.file_name, row.location.record_number) if row.location else ("", 0)


def write_validation_page(
    outcome: SuiteOutcome, run_id: str, folder: Path, quarantined: list[BadRow] | None = None
) -> Path:
    """Write `<folder>/<suite>__<table>__<run_id>.html` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    table = outcome.table.split(".")[-1]
    path = folder / f"{outcome.suite}__{table}__{run_id}.html"
    path.write_text(render_validation_page(outcome, run_id, quarantined), encoding="utf-8")
    return path
