"""The CX and ROX report: one self-contained HTML page of inline SVG charts, from mart frames.

Pure: pandas frames in (one per mart), a string out; no Dagster. No scripts, fonts, style
sheets or images from anywhere, so the page opens offline, and its Content-Security-Policy makes
the browser refuse any request that would leave the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from report import svg
from report.svg import esc, is_number

DEFAULT_UI_BASE = "http://127.0.0.1:3000"
HEATMAP_MONTHS = 3
RECOMMEND_OUTCOME = "likelihood_to_recommend"

# The columns the report reads from each mart (a reader selects those that exist).
REPORT_MARTS: dict[str, tuple[str, ...]] = {
    "rox_by_initiative": (
        "initiative_id",
        "initiative_name",
        "scope_type",
        "scope_id",
        "investment_to_date_eur",
        "attributable_value_eur",
        "rox",
        "rox_ci_low",
        "rox_ci_high",
        "formula_version",
    ),
    "rox_score": (
        "month_start",
        "scope_type",
        "scope_id",
        "cx_index",
        "ex_index",
        "rox",
        "rox_ci_low",
        "rox_ci_high",
        "revenue_at_risk_eur",
        "churn_rate",
    ),
    "survey_metrics_monthly": (
        "month_start",
        "survey_kind",
        "metric",
        "scope_type",
        "scope_id",
        "responses",
        "metric_value",
    ),
    "business_kpis": ("month_start", "revenue_eur", "active_customers", "churn_rate"),
    "journey_heatmap": (
        "month_start",
        "job",
        "stage_id",
        "touchpoint_id",
        "segment",
        "volume",
        "scored_volume",
        "mean_score_0_100",
        "is_moment_that_matters",
    ),
    "driver_importance": (
        "outcome",
        "driver",
        "importance_pct",
        "importance_pct_ci_low",
        "importance_pct_ci_high",
        "performance_0_100",
        "quadrant",
        "importance_rank",
    ),
    "opportunity_map": (
        "job",
        "touchpoint_id",
        "clv_at_stake_eur",
        "performance_gap",
        "opportunity_score",
        "rank",
        "lever",
    ),
    "action_priorities": (
        "action",
        "touchpoint_id",
        "area",
        "estimated_cost_eur",
        "value_at_stake_eur",
        "priority_score",
        "rank",
    ),
    "okr_objective_progress": (
        "objective_id",
        "objective",
        "value_stream_id",
        "period_start",
        "score",
        "expected_progress",
        "status",
    ),
    "okr_value_stream_progress": (
        "value_stream_id",
        "period_start",
        "score",
        "expected_progress",
        "status",
    ),
    "customer_clv": ("clv_horizon_eur",),
    "clv_by_segment": ("segment", "job", "revenue_last_12_months_eur", "revenue_at_risk_eur"),
}


def report_path(warehouse: Path) -> Path:
    """Where the report of the warehouse at `warehouse` (the DuckDB file) is written."""
    return Path(warehouse).parent / "report" / "index.html"


@dataclass(frozen=True)
class RunInfo:
    """Which run built the report, when, and where the Dagster UI is."""

    run_id: str
    built_at: datetime | str
    ui_base: str = DEFAULT_UI_BASE
    # The run that last materialised each mart, when known (else the report's own run).
    mart_runs: Mapping[str, str] = field(default_factory=dict)

    def asset_url(self, mart: str) -> str:
        return f"{self.ui_base.rstrip('/')}/assets/marts/{quote(mart)}"

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_base.rstrip('/')}/runs/{quote(run_id)}"

    def run_of(self, mart: str) -> str:
        return self.mart_runs.get(mart) or self.run_id

    @property
    def built_text(self) -> str:
        if isinstance(self.built_at, datetime):
            return self.built_at.strftime("%Y-%m-%d %H:%M UTC")
        return str(self.built_at)


@dataclass(frozen=True)
class Report:
    html: str
    rendered: list[str]  # marts with at least one chart or headline
    missing: list[str]  # marts shown as a notice instead
    figures: list[str]  # ids of the chart figures, in page order


# --- formatting ----------------------------------------------------------------------------


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


def _month(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %y")


def _slug(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "blank"


def _missing_columns(frame: pd.DataFrame, required: Sequence[str]) -> list[str]:
    return [c for c in required if c not in frame.columns]


def _ordered(values: Sequence[object], preferred: Sequence[str]) -> list[str]:
    """The distinct values, those in `preferred` first in its order, the rest sorted."""
    present = {str(v) for v in values if v is not None and not pd.isna(v)}
    head = [p for p in preferred if p in present]
    return head + sorted(present - set(head))


# --- data shaping (pure, unit-tested) ------------------------------------------------------


@dataclass(frozen=True)
class HeatmapGrid:
    stages: list[str]
    touchpoints: list[str]
    jobs: dict[str, dict[tuple[str, str], svg.Cell]]
    months: list[pd.Timestamp]


def heatmap_grid(
    frame: pd.DataFrame,
    *,
    months: int = HEATMAP_MONTHS,
    stage_order: Sequence[str] = (),
    touchpoint_order: Sequence[str] = (),
) -> HeatmapGrid:
    """Cells per job over the latest `months` months: mean score weighted by scored volume.

    The mart's `all` segment is used when it exists (the other segments are its parts, so
    summing them as well would count every signal twice); otherwise all segments are pooled.
    """
    f = frame.copy()
    f["month_start"] = pd.to_datetime(f["month_start"])
    latest = sorted(f["month_start"].dropna().unique())[-months:]
    f = f[f["month_start"].isin(latest)]
    if "segment" in f.columns and (f["segment"] == "all").any():
        f = f[f["segment"] == "all"]
    weight_column = "scored_volume" if "scored_volume" in f.columns else "volume"
    score = pd.to_numeric(f["mean_score_0_100"], errors="coerce")
    weight = pd.to_numeric(f[weight_column], errors="coerce").fillna(0).where(score.notna(), 0)
    volume = pd.to_numeric(f["volume"], errors="coerce").fillna(0) if "volume" in f else weight
    moment = (
        f["is_moment_that_matters"].fillna(False).astype(bool)
        if "is_moment_that_matters" in f.columns
        else pd.Series(False, index=f.index)
    )
    f = f.assign(
        _w=weight, _ws=(score.fillna(0) * weight), _v=volume, _m=moment, job=f["job"].fillna("?")
    )
    grouped = f.groupby(["job", "stage_id", "touchpoint_id"], dropna=True).agg(
        w=("_w", "sum"), ws=("_ws", "sum"), v=("_v", "sum"), m=("_m", "any")
    )
    jobs: dict[str, dict[tuple[str, str], svg.Cell]] = {}
    for (job, stage, touchpoint), row in grouped.iterrows():
        mean = row["ws"] / row["w"] if row["w"] > 0 else None
        jobs.setdefault(str(job), {})[(str(stage), str(touchpoint))] = svg.Cell(
            mean, float(row["v"]), bool(row["m"])
        )
    known = [j for j in sorted(jobs) if j not in ("unknown", "?")]
    jobs = {j: jobs[j] for j in known + [j for j in ("unknown", "?") if j in jobs]}
    return HeatmapGrid(
        stages=_ordered(f["stage_id"], stage_order),
        touchpoints=_ordered(f["touchpoint_id"], touchpoint_order),
        jobs=jobs,
        months=[pd.Timestamp(m) for m in latest],
    )


def driver_outcome(frame: pd.DataFrame) -> str | None:
    """Recommendation if the mart has it, else the first outcome it holds."""
    outcomes = [o for o in frame["outcome"].tolist() if o is not None]
    if RECOMMEND_OUTCOME in outcomes:
        return RECOMMEND_OUTCOME
    recommend = [o for o in outcomes if "recommend" in str(o)]
    return (recommend or outcomes or [None])[0]


def clv_histogram(values: pd.Series, bins: int = 20) -> tuple[list[float], list[int]]:
    """Bin edges (round numbers) and counts; values above the 99th percentile fall into the
    last bin, so a few very valuable customers do not squash the rest into one bar."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return [], []
    low, high = min(0.0, float(v.min())), float(np.quantile(v, 0.99))
    ticks = svg.nice_ticks(low, high, bins)
    edges = np.array(ticks if len(ticks) > 1 else [low, low + 1.0])
    counts, _ = np.histogram(np.clip(v, edges[0], edges[-1]), bins=edges)
    return [float(e) for e in edges], [int(c) for c in counts]


# --- the page --------------------------------------------------------------------------------


class _Page:
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

    def figure(self, figure_id: str, mart: str, title: str, chart: str, note: str = "") -> None:
        self.figures.append(figure_id)
        self._mark(mart, True)
        extra = f'<p class="note">{esc(note)}</p>' if note else ""
        self.parts.append(
            f'<figure class="chart" id="{esc(figure_id)}" data-mart="marts.{esc(mart)}">'
            f'<p class="chart-title">{esc(title)}</p>{chart}{extra}'
            f"<figcaption>{self.caption(mart)}</figcaption></figure>"
        )

    def notice(self, mart: str, reason: str = "") -> None:
        """Say plainly that a mart's charts are not here, and why."""
        self._mark(mart, False)
        message = f"not built yet: marts.{mart}" if not reason else f"marts.{mart}: {reason}"
        self.parts.append(
            f'<div class="missing" role="status" id="missing-{esc(_slug(mart))}" '
            f'data-mart="marts.{esc(mart)}">{esc(message)}</div>'
        )

    def usable(self, marts: Mapping[str, pd.DataFrame | None], mart: str, required: Sequence[str]):
        """The mart's frame if it exists, has rows and has `required`; else a notice and None."""
        frame = marts.get(mart)
        if frame is None or frame.empty:
            self.notice(mart)
            return None
        lacking = _missing_columns(frame, required)
        if lacking:
            self.notice(mart, "cannot chart it, missing columns " + ", ".join(lacking))
            return None
        return frame


def _latest(frame: pd.DataFrame, column: str = "month_start") -> pd.DataFrame:
    if column not in frame.columns or frame[column].isna().all():
        return frame
    dates = pd.to_datetime(frame[column])
    return frame[dates == dates.max()]


def _latest_known(frame: pd.DataFrame, column: str) -> pd.Series | None:
    """The latest row (by month) whose `column` has a value, or None."""
    if column not in frame.columns:
        return None
    known = frame[frame[column].map(is_number)]
    if known.empty:
        return None
    if "month_start" in known.columns:
        known = known.assign(month_start=pd.to_datetime(known["month_start"]))
        known = known.sort_values("month_start")
    return known.iloc[-1]


def _when(row: pd.Series) -> str:
    month = row.get("month_start")
    return _month(month) if month is not None and not pd.isna(month) else "latest month"


def _tile(value: str, label: str, mart: str) -> str:
    return (
        f'<div class="tile" data-mart="marts.{esc(mart)}"><span class="tile-value">'
        f'{esc(value)}</span><span class="tile-label">{esc(label)}</span>'
        f'<span class="tile-source">marts.{esc(mart)}</span></div>'
    )


def _company(frame: pd.DataFrame) -> pd.DataFrame:
    if "scope_type" in frame.columns and (frame["scope_type"] == "company").any():
        return frame[frame["scope_type"] == "company"]
    return frame


def _headline_tiles(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    tiles = []
    rox = marts.get("rox_score")
    company = _company(rox) if rox is not None and not rox.empty else pd.DataFrame()
    row = _latest_known(company, "rox")
    if row is not None:
        interval = ""
        if is_number(row.get("rox_ci_low")) and is_number(row.get("rox_ci_high")):
            interval = f" (95% CI {row['rox_ci_low']:.2f} to {row['rox_ci_high']:.2f})"
        label = f"ROX, company, {_when(row)}{interval}"
        tiles.append(_tile(f"{row['rox']:.2f}", label, "rox_score"))
    row = _latest_known(company, "revenue_at_risk_eur")
    segments = marts.get("clv_by_segment")
    if row is not None:
        label = f"revenue at risk, company, {_when(row)}"
        tiles.append(_tile(eur(row["revenue_at_risk_eur"]), label, "rox_score"))
    elif segments is not None and not segments.empty and "revenue_at_risk_eur" in segments.columns:
        total = pd.to_numeric(segments["revenue_at_risk_eur"], errors="coerce").sum()
        tiles.append(_tile(eur(total), "revenue at risk (last 12 months)", "clv_by_segment"))
    surveys = marts.get("survey_metrics_monthly")
    if surveys is not None and not surveys.empty and {"metric", "metric_value"} <= set(surveys):
        for metric, label in (("nps", "NPS"), ("enps", "eNPS")):
            rows = _latest(_company(surveys[surveys["metric"] == metric]))
            if len(rows) and is_number(rows["metric_value"].iloc[0]):
                when = _month(rows["month_start"].iloc[0]) if "month_start" in rows else ""
                value = f"{float(rows['metric_value'].iloc[0]):+.1f}"
                tiles.append(_tile(value, f"{label}, {when}", "survey_metrics_monthly"))
    kpis = marts.get("business_kpis")
    if kpis is not None and not kpis.empty and "revenue_eur" in kpis.columns:
        row = _latest(kpis).iloc[0]
        when = _month(row["month_start"]) if "month_start" in row else "latest month"
        if is_number(row["revenue_eur"]):
            tiles.append(_tile(eur(row["revenue_eur"]), f"revenue, {when}", "business_kpis"))
        if "churn_rate" in row and is_number(row["churn_rate"]):
            tiles.append(_tile(pct(row["churn_rate"]), f"churn rate, {when}", "business_kpis"))
    if tiles:
        page.parts.append(f'<div class="tiles">{"".join(tiles)}</div>')


def _rox_by_initiative(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    frame = page.usable(marts, "rox_by_initiative", ["rox"])
    if frame is None:
        return
    name = next((c for c in ("initiative_name", "initiative_id") if c in frame.columns), None)
    frame = frame[frame["rox"].map(is_number)]
    if frame.empty:
        page.notice("rox_by_initiative", "no initiative has a ROX yet")
        return
    frame = frame.sort_values("rox", ascending=False).head(15)
    bars = []
    for i, row in enumerate(frame.to_dict("records")):
        label = str(row[name]) if name else f"initiative {i + 1}"
        value = float(row["rox"])
        bars.append(
            svg.Bar(
                label,
                value,
                row.get("rox_ci_low") if is_number(row.get("rox_ci_low")) else None,
                row.get("rox_ci_high") if is_number(row.get("rox_ci_high")) else None,
                svg.BLUE if value >= 0 else svg.VERMILLION,
            )
        )
    version = ""
    if "formula_version" in frame.columns and frame["formula_version"].notna().any():
        version = f"ROX formula {frame['formula_version'].dropna().iloc[0]}. "
    page.figure(
        "rox-by-initiative",
        "rox_by_initiative",
        "ROX by initiative, with 95% confidence intervals",
        svg.bar_chart(bars, title="ROX by initiative", fmt=lambda v: f"{v:.2f}", axis_title="ROX"),
        note=version + "Whiskers show the interval; a bar left of zero lost money.",
    )


def _index_trend(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    frame = page.usable(marts, "rox_score", ["month_start"])
    if frame is None:
        return
    present = [c for c in ("cx_index", "ex_index") if c in frame.columns]
    if not present:
        page.notice("rox_score", "cannot chart it, missing columns cx_index, ex_index")
        return
    company = _company(frame).copy()
    company["month_start"] = pd.to_datetime(company["month_start"])
    monthly = company.groupby("month_start")[present].mean().sort_index()
    colours = {"cx_index": svg.BLUE, "ex_index": svg.ORANGE}
    names = {"cx_index": "CX index", "ex_index": "EX index"}
    series = [svg.Series(names[c], monthly[c].tolist(), colours[c]) for c in present]
    labels = [_month(m) for m in monthly.index]
    page.figure(
        "cx-ex-index-trend",
        "rox_score",
        "CX and EX index, company, by month",
        svg.line_chart(
            labels,
            series,
            title="CX and EX index",
            fmt=lambda v: f"{v:g}",
            value_fmt=lambda v: f"{v:.1f}",
        ),
    )


def _nps_trend(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    mart = "survey_metrics_monthly"
    frame = page.usable(marts, mart, ["month_start", "metric", "metric_value"])
    if frame is None:
        return
    company = _company(frame[frame["metric"].isin(["nps", "enps"])]).copy()
    if company.empty:
        page.notice(mart, "no company NPS or eNPS rows yet")
        return
    company["month_start"] = pd.to_datetime(company["month_start"])
    wide = company.pivot_table(
        index="month_start", columns="metric", values="metric_value", aggfunc="mean"
    ).sort_index()
    series = [
        svg.Series(name, wide[metric].tolist(), colour)
        for metric, name, colour in (("nps", "NPS", svg.BLUE), ("enps", "eNPS", svg.ORANGE))
        if metric in wide.columns
    ]
    page.figure(
        "nps-enps-trend",
        mart,
        "Customer NPS and employee eNPS, company, by month",
        svg.line_chart(
            [_month(m) for m in wide.index],
            series,
            title="NPS and eNPS",
            fmt=lambda v: f"{v:+g}" if v else "0",
            value_fmt=lambda v: f"{v:+.1f}",
        ),
        note="eNPS stands in for the EX index until marts.rox_score holds it.",
    )


def _revenue_trend(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    frame = page.usable(marts, "business_kpis", ["month_start", "revenue_eur"])
    if frame is None:
        return
    frame = frame.assign(month_start=pd.to_datetime(frame["month_start"])).sort_values(
        "month_start"
    )
    values = pd.to_numeric(frame["revenue_eur"], errors="coerce").fillna(0).astype(float).tolist()
    labels = [_month(m) for m in frame["month_start"]]
    page.figure(
        "revenue-trend",
        "business_kpis",
        "Revenue by month, net of returns",
        svg.column_chart(labels, values, title="Revenue by month", fmt=eur),
    )


def _heatmaps(
    page: _Page,
    marts: Mapping[str, pd.DataFrame | None],
    *,
    stage_order: Sequence[str],
    touchpoint_order: Sequence[str],
    pain_below: float,
    love_from: float,
) -> None:
    mart = "journey_heatmap"
    frame = page.usable(
        marts, mart, ["month_start", "job", "stage_id", "touchpoint_id", "mean_score_0_100"]
    )
    if frame is None:
        return
    grid = heatmap_grid(frame, stage_order=stage_order, touchpoint_order=touchpoint_order)
    if not grid.jobs:
        page.notice(mart, "no cells in the latest months")
        return
    period = f"{_month(grid.months[0])} to {_month(grid.months[-1])}" if grid.months else ""
    used = set()
    for job, cells in grid.jobs.items():
        figure_id = f"journey-heatmap-{_slug(job)}"
        while figure_id in used:
            figure_id += "-x"
        used.add(figure_id)
        page.figure(
            figure_id,
            mart,
            f"Journey heatmap: {job} ({period})",
            svg.heatmap_chart(
                grid.stages,
                grid.touchpoints,
                cells,
                title=f"Journey heatmap for {job}",
                pain_below=pain_below,
                love_from=love_from,
            ),
            note=(
                "Rows are journey stages, columns touchpoints; each cell is the mean 0-100 "
                "score weighted by scored signals, with its label and volume."
            ),
        )


def _driver_matrix(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    mart = "driver_importance"
    frame = page.usable(marts, mart, ["outcome", "driver", "importance_pct", "performance_0_100"])
    if frame is None:
        return
    outcome = driver_outcome(frame)
    rows = frame[frame["outcome"] == outcome]
    rows = rows[rows["importance_pct"].map(is_number) & rows["performance_0_100"].map(is_number)]
    if rows.empty:
        page.notice(mart, "no driver has both importance and performance")
        return
    importance_cut = 100.0 / len(rows)
    performance_cut = float(rows["performance_0_100"].median())
    quadrants = dict(zip(rows["driver"], rows.get("quadrant", [None] * len(rows)), strict=True))

    def quadrant_of(d: svg.Driver) -> str:
        given = quadrants.get(d.name)
        if isinstance(given, str) and given:
            return given
        important, strong = d.importance > importance_cut, d.performance >= performance_cut
        return {(1, 0): "fix", (1, 1): "leverage", (0, 1): "maintain"}.get(
            (int(important), int(strong)), "monitor"
        )

    drivers = [
        svg.Driver(
            str(r["driver"]),
            float(r["importance_pct"]),
            float(r["performance_0_100"]),
            r.get("importance_pct_ci_low") if is_number(r.get("importance_pct_ci_low")) else None,
            r.get("importance_pct_ci_high") if is_number(r.get("importance_pct_ci_high")) else None,
        )
        for r in rows.to_dict("records")
    ]
    page.figure(
        "driver-matrix",
        mart,
        f"Driver priority matrix: importance for {outcome} against performance",
        svg.priority_matrix(
            drivers,
            title="Driver priority matrix",
            importance_cut=importance_cut,
            performance_cut=performance_cut,
            quadrant_of=quadrant_of,
        ),
        note=(
            f"Importance: relative weight with 95% interval (the line). Dashed lines: average "
            f"importance ({importance_cut:.0f}%) and median performance ({performance_cut:.0f})."
        ),
    )


def _opportunities(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    mart = "opportunity_map"
    frame = page.usable(marts, mart, ["opportunity_score"])
    if frame is None:
        return
    order = "rank" if "rank" in frame.columns else "opportunity_score"
    frame = frame.sort_values(order, ascending=(order == "rank")).head(10)
    bars = []
    for r in frame.to_dict("records"):
        parts = [str(r[c]) for c in ("touchpoint_id", "job") if c in r and r[c] is not None]
        bars.append(svg.Bar(" \u00b7 ".join(parts) or "opportunity", float(r["opportunity_score"])))
    page.figure(
        "opportunity-ranking",
        mart,
        "Top opportunities: importance x performance gap x CLV at stake",
        svg.bar_chart(bars, title="Opportunity ranking", fmt=eur, axis_title="opportunity (EUR)"),
    )


def _actions(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    mart = "action_priorities"
    frame = page.usable(marts, mart, ["action", "priority_score"])
    if frame is None:
        return
    order = "rank" if "rank" in frame.columns else "priority_score"
    frame = frame.sort_values(order, ascending=(order == "rank")).head(12)
    bars = [
        svg.Bar(str(r["action"]), float(r["priority_score"]), colour=svg.GREEN)
        for r in frame.to_dict("records")
        if is_number(r["priority_score"])
    ]
    page.figure(
        "action-priorities",
        mart,
        "Action priorities: value at stake per euro of cost and complexity",
        svg.bar_chart(bars, title="Action priorities", fmt=lambda v: f"{v:.2f}"),
    )


def _okr(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    frame = page.usable(marts, "okr_objective_progress", ["score"])
    if frame is not None:
        frame = _latest(frame, "period_start")
        sort = [c for c in ("value_stream_id", "objective", "objective_id") if c in frame.columns]
        frame = frame.sort_values(sort) if sort else frame
        items = []
        for r in frame.to_dict("records"):
            if not is_number(r["score"]):
                continue
            label = str(r.get("objective") or r.get("objective_id") or "objective")
            if r.get("value_stream_id"):
                label = f"{r['value_stream_id']}: {label}"
            expected = r.get("expected_progress")
            items.append(
                svg.Progress(
                    label,
                    float(r["score"]),
                    float(expected) if is_number(expected) else None,
                    str(r.get("status") or ""),
                )
            )
        if items:
            page.figure(
                "okr-objectives",
                "okr_objective_progress",
                "OKR progress by objective" + _period(frame),
                svg.progress_chart(items, title="OKR progress by objective"),
                note="The black mark is where the objective should be by now.",
            )
        else:
            page.notice("okr_objective_progress", "no objective has a score yet")
    frame = page.usable(marts, "okr_value_stream_progress", ["value_stream_id", "score"])
    if frame is not None:
        frame = _latest(frame, "period_start").sort_values("value_stream_id")
        items = [
            svg.Progress(
                str(r["value_stream_id"]),
                float(r["score"]),
                float(r["expected_progress"]) if is_number(r.get("expected_progress")) else None,
                str(r.get("status") or ""),
            )
            for r in frame.to_dict("records")
            if is_number(r["score"])
        ]
        if items:
            page.figure(
                "okr-value-streams",
                "okr_value_stream_progress",
                "OKR progress by value stream" + _period(frame),
                svg.progress_chart(items, title="OKR progress by value stream"),
            )
        else:
            page.notice("okr_value_stream_progress", "no value stream has a score yet")


def _period(frame: pd.DataFrame) -> str:
    if "period_start" in frame.columns and frame["period_start"].notna().any():
        return f", period from {pd.Timestamp(frame['period_start'].dropna().iloc[0]):%Y-%m-%d}"
    return ""


def _clv(page: _Page, marts: Mapping[str, pd.DataFrame | None]) -> None:
    frame = page.usable(marts, "customer_clv", ["clv_horizon_eur"])
    if frame is not None:
        edges, counts = clv_histogram(frame["clv_horizon_eur"])
        if counts:
            labels = [eur(e) for e in edges[:-1]]
            tips = [
                f"{eur(lo)} to {eur(hi)}: {n:,} customers"
                for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True)
            ]
            page.figure(
                "clv-distribution",
                "customer_clv",
                f"CLV distribution over the horizon, {sum(counts):,} customers",
                svg.column_chart(
                    labels,
                    counts,
                    title="CLV distribution",
                    fmt=lambda v: f"{v:,.0f}",
                    colour=svg.SKY,
                    axis_title="discounted CLV over the horizon (bin start); the last bin holds "
                    "the top 1%",
                    tips=tips,
                ),
            )
        else:
            page.notice("customer_clv", "no customer has a CLV yet")
    frame = page.usable(marts, "clv_by_segment", ["segment", "revenue_at_risk_eur"])
    if frame is not None:
        numeric = frame.assign(
            revenue_at_risk_eur=pd.to_numeric(frame["revenue_at_risk_eur"], errors="coerce")
        )
        columns = ["revenue_at_risk_eur"]
        if "revenue_last_12_months_eur" in numeric.columns:
            columns.append("revenue_last_12_months_eur")
        by_segment = numeric.groupby("segment")[columns].sum()
        by_segment = by_segment.sort_values("revenue_at_risk_eur", ascending=False)
        bars = []
        for segment, row in by_segment.iterrows():
            revenue = row.get("revenue_last_12_months_eur")
            share = row["revenue_at_risk_eur"] / revenue if is_number(revenue) and revenue else None
            bars.append(
                svg.Bar(
                    str(segment),
                    float(row["revenue_at_risk_eur"]),
                    colour=svg.VERMILLION,
                    note=f"({share:.0%})" if share is not None else "",
                )
            )
        page.figure(
            "revenue-at-risk-by-segment",
            "clv_by_segment",
            "Revenue at risk by segment (share of the segment's last 12 months' revenue)",
            svg.bar_chart(bars, title="Revenue at risk by segment", fmt=eur),
        )


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
figure.chart svg { display: block; width: 100%; height: auto; }
figcaption { margin-top: 0.6em; font-size: 0.9rem; color: #444; }
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

SECTIONS = (
    (
        "headline",
        "Headline: return on experience",
        "How much return the experience investments earn, and how customers and employees feel "
        "about the company, month by month.",
    ),
    (
        "journeys",
        "Journey heatmaps",
        f"The latest {HEATMAP_MONTHS} months of every signal, by journey stage and touchpoint, "
        "for each job customers hire us for. Blue is love, red is pain.",
    ),
    (
        "drivers",
        "Drivers and opportunities",
        "Which touchpoints drive recommendation, how well we do there, and where improving pays "
        "most.",
    ),
    ("okrs", "OKR progress", "Objectives and key results for the latest period."),
    (
        "value",
        "Customer lifetime value and revenue at risk",
        "What customers are worth over the horizon and the revenue of customers likely to leave.",
    ),
)


def build_report(
    marts: Mapping[str, pd.DataFrame | None],
    run: RunInfo,
    *,
    stage_order: Sequence[str] = (),
    touchpoint_order: Sequence[str] = (),
    heat_pain_below: float = 50.0,
    heat_love_from: float = 75.0,
) -> Report:
    """The whole page from one frame per mart (keyed by the mart's name; None when missing)."""
    page = _Page(run)
    heatmaps = partial(
        _heatmaps,
        stage_order=stage_order,
        touchpoint_order=touchpoint_order,
        pain_below=heat_pain_below,
        love_from=heat_love_from,
    )
    charts = {
        "headline": (_headline_tiles, _rox_by_initiative, _index_trend, _nps_trend, _revenue_trend),
        "journeys": (heatmaps,),
        "drivers": (_driver_matrix, _opportunities, _actions),
        "okrs": (_okr,),
        "value": (_clv,),
    }
    for section_id, title, intro in SECTIONS:
        page.section(section_id, title, intro)
        for chart in charts[section_id]:
            chart(page, marts)
        page.end_section()
    nav = " ".join(f'<a href="#{s}">{esc(t)}</a>' for s, t, _ in SECTIONS)
    run_link = f'<a href="{esc(run.run_url(run.run_id))}"><code>{esc(run.run_id)}</code></a>'
    document = (
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
        f"<nav>{nav}</nav></header><main>{''.join(page.parts)}</main>"
        "<footer>Every chart names the mart and the run it came from; the links open the asset "
        "in the Dagster UI. This page fetches nothing: it works offline.</footer>"
        "</body></html>\n"
    )
    return Report(document, page.rendered, page.missing, page.figures)
