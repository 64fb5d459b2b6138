"""Headline: the tiles (the portfolio's ROX with its soft/hard split, revenue at risk, NPS, eNPS,
revenue, churn), ROX by initiative with its channel, steps and intervals, the CX and EX index,
NPS and eNPS, and revenue by month."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from report import charts
from report.colours import BLUE, ORANGE, VERMILLION
from report.formatting import TOO_FEW, eur, is_number, month, pct
from report.page import Marts, Options, Page, Table
from report.shaping import company, latest, latest_known

SECTION = (
    "headline",
    "Headline: return on experience",
    "How much return the experience investments earn, and how customers and employees feel "
    "about the company, month by month.",
)


def draw(page: Page, marts: Marts, options: Options) -> None:
    tiles(page, marts)
    rox_by_initiative(page, marts)
    index_trend(page, marts)
    nps_trend(page, marts)
    revenue_trend(page, marts)


def _when(row: pd.Series) -> str:
    value = row.get("month_start")
    return month(value) if value is not None and not pd.isna(value) else "latest month"


def _ci(row: Mapping, low: str = "rox_ci_low", high: str = "rox_ci_high") -> str:
    if is_number(row.get(low)) and is_number(row.get(high)):
        return f"95% CI {float(row[low]):.2f} to {float(row[high]):.2f}"
    return "no interval"


def portfolio_tile(page: Page, marts: Marts) -> tuple[str, str, str] | None:
    """The headline: the portfolio's ROX to date with its interval and the soft/hard split."""
    frame = page.usable(marts, "rox_portfolio", ["investment_kind", "rox"])
    if frame is None:
        return None
    kinds = {str(r["investment_kind"]): r for r in frame.to_dict("records")}
    whole = kinds.get("all")
    if whole is None or not is_number(whole.get("rox")):
        page.notice("rox_portfolio", "no initiative has a measured return yet")
        return None
    split = []
    for kind in ("soft", "hard"):
        row = kinds.get(kind)
        if row is not None and is_number(row.get("rox")):
            split.append(f"{kind} {float(row['rox']):.2f} ({_ci(row)})")
        elif row is not None:
            split.append(f"{kind}: no measured investment")
    label = f"ROX of the portfolio to date ({_ci(whole)}); " + "; ".join(split)
    return (f"{float(whole['rox']):.2f}", label, "rox_portfolio")


def tiles(page: Page, marts: Marts) -> None:
    found: list[tuple[str, str, str]] = []
    rox = marts.get("rox_score")
    scores = company(rox) if rox is not None and not rox.empty else pd.DataFrame()
    headline = portfolio_tile(page, marts)
    if headline is not None:
        found.append(headline)
    row = latest_known(scores, "revenue_at_risk_eur")
    segments = marts.get("clv_by_segment")
    if row is not None:
        label = f"revenue at risk, company, {_when(row)}"
        found.append((eur(row["revenue_at_risk_eur"]), label, "rox_score"))
    elif segments is not None and not segments.empty and "revenue_at_risk_eur" in segments.columns:
        total = pd.to_numeric(segments["revenue_at_risk_eur"], errors="coerce").sum()
        found.append((eur(total), "revenue at risk (last 12 months)", "clv_by_segment"))
    surveys = marts.get("survey_metrics_monthly")
    if surveys is not None and not surveys.empty and {"metric", "metric_value"} <= set(surveys):
        for metric, name in (("nps", "NPS"), ("enps", "eNPS")):
            rows = latest(company(surveys[surveys["metric"] == metric]))
            if not len(rows):
                continue
            when = month(rows["month_start"].iloc[0]) if "month_start" in rows else ""
            if is_number(rows["metric_value"].iloc[0]):
                value = f"{float(rows['metric_value'].iloc[0]):+.1f}"
                found.append((value, f"{name}, {when}", "survey_metrics_monthly"))
            elif "is_suppressed" in rows and bool(rows["is_suppressed"].iloc[0]):
                found.append((TOO_FEW, f"{name}, {when}", "survey_metrics_monthly"))
    kpis = marts.get("business_kpis")
    if kpis is not None and not kpis.empty and "revenue_eur" in kpis.columns:
        row = latest(kpis).iloc[0]
        when = month(row["month_start"]) if "month_start" in row else "latest month"
        if is_number(row["revenue_eur"]):
            found.append((eur(row["revenue_eur"]), f"revenue, {when}", "business_kpis"))
        if "churn_rate" in row and is_number(row["churn_rate"]):
            found.append((pct(row["churn_rate"]), f"churn rate, {when}", "business_kpis"))
    page.tiles(found)


def _number(value: object, fmt=lambda v: f"{v:.2f}") -> str:
    return fmt(float(value)) if is_number(value) else ""


STEPS = (
    ("ex_effect_points", "EX {:+.1f} pts", "ex_effect_ci_low", "ex_effect_ci_high"),
    ("ex_cx_effect", "CX per EX point {:+.2f}", "ex_cx_effect_ci_low", "ex_cx_effect_ci_high"),
    ("effect_points", "CX {:+.1f} pts", "effect_ci_low", "effect_ci_high"),
    ("value_per_point_eur", "EUR {:.2f} per point-year", "value_per_point_ci_low",
     "value_per_point_ci_high"),
)  # fmt: skip


def _steps(row: Mapping) -> str:
    """Each step of the initiative's channel with its interval, in the channel's order."""
    parts = []
    for column, text, low, high in STEPS:
        if is_number(row.get(column)):
            interval = ""
            if is_number(row.get(low)) and is_number(row.get(high)):
                interval = f" ({float(row[low]):.2f} to {float(row[high]):.2f})"
            parts.append(text.format(float(row[column])) + interval)
    return "; ".join(parts)


def rox_by_initiative(page: Page, marts: Marts) -> None:
    mart = "rox_by_initiative"
    frame = page.usable(marts, mart, ["rox"])
    if frame is None:
        return
    name = next((c for c in ("initiative_name", "initiative_id") if c in frame.columns), None)
    frame = frame[frame["rox"].map(is_number)]
    if frame.empty:
        page.notice(mart, "no initiative has a ROX yet")
        return
    frame = frame.sort_values("rox", ascending=False).head(15)
    bars, rows = [], []
    for i, row in enumerate(frame.to_dict("records")):
        label = str(row[name]) if name else f"initiative {i + 1}"
        value = float(row["rox"])
        low, high = row.get("rox_ci_low"), row.get("rox_ci_high")
        interval = is_number(low) and is_number(high)
        described = f"{label}: ROX {value:.2f}" + (
            f", 95% CI {float(low):.2f} to {float(high):.2f}" if interval else ""
        )
        bars.append(
            charts.Bar(
                label,
                value,
                f"{value:.2f}",
                described,
                float(low) if interval else None,
                float(high) if interval else None,
                BLUE if value >= 0 else VERMILLION,
            )
        )
        rows.append(
            [
                label,
                str(row.get("investment_kind") or ""),
                str(row.get("channel") or ""),
                _steps(row),
                f"{value:.2f}",
                _number(low),
                _number(high),
                _number(row.get("investment_to_date_eur"), eur),
                _number(row.get("attributable_value_eur"), eur),
            ]
        )
    version = ""
    if "formula_version" in frame.columns and frame["formula_version"].notna().any():
        version = f"ROX formula {frame['formula_version'].dropna().iloc[0]}. "
    page.figure(
        "rox-by-initiative",
        mart,
        "ROX by initiative, with 95% confidence intervals",
        charts.bar_chart(bars, axis_label="format(datum.value, '.2f')", axis_title="ROX"),
        description=f"Horizontal bars of ROX for {len(bars)} initiatives, highest first, each "
        "with its 95% confidence interval as a whisker.",
        table=Table(
            [
                "initiative",
                "kind",
                "channel",
                "steps",
                "ROX",
                "95% CI low",
                "95% CI high",
                "investment to date",
                "value",
            ],  # fmt: skip
            rows,
        ),
        note=version + "Whiskers show the interval; a bar left of zero lost money.",
    )


def _monthly_lines(
    page: Page,
    figure: tuple[str, str, str],
    frame: pd.DataFrame,
    columns: list[tuple[str, str, str]],
    *,
    what: str,
    value_text,
    axis_label: str,
    note: str = "",
) -> None:
    """The figure (id, mart, title): lines of `columns` (column, name, colour) of a frame
    indexed by month; `what` the lines show, for the chart's description."""
    figure_id, mart, title = figure
    if not frame[[column for column, _, _ in columns]].notna().any().any():
        page.notice(mart, "no month has a value yet")
        return
    labels = [month(m) for m in frame.index]
    series = [
        charts.Series(
            name,
            frame[column].tolist(),
            colour,
            [value_text(v) if is_number(v) else "" for v in frame[column]],
        )
        for column, name, colour in columns
    ]
    rows = [[label, *(s.texts[i] for s in series)] for i, label in enumerate(labels)]
    latest_values = ", ".join(
        f"{s.name} {next((t for t in reversed(s.texts) if t), 'none')}" for s in series
    )
    page.figure(
        figure_id,
        mart,
        title,
        charts.line_chart(labels, series, axis_label=axis_label),
        description=f"Lines of {what} by month from {labels[0]} to {labels[-1]}; latest: "
        f"{latest_values}.",
        table=Table(["month", *(s.name for s in series)], rows),
        note=note,
    )


def index_trend(page: Page, marts: Marts) -> None:
    frame = page.usable(marts, "rox_score", ["month_start"])
    if frame is None:
        return
    present = [c for c in ("cx_index", "ex_index") if c in frame.columns]
    if not present:
        page.notice("rox_score", "cannot chart it, missing columns cx_index, ex_index")
        return
    scores = company(frame).copy()
    scores["month_start"] = pd.to_datetime(scores["month_start"])
    monthly = scores.groupby("month_start")[present].mean().sort_index()
    names = {"cx_index": ("CX index", BLUE), "ex_index": ("EX index", ORANGE)}
    _monthly_lines(
        page,
        ("cx-ex-index-trend", "rox_score", "CX and EX index, company, by month"),
        monthly,
        [(c, *names[c]) for c in present],
        what="the company's CX and EX index (0-100)",
        value_text=lambda v: f"{v:.1f}",
        axis_label="format(datum.value, '~g')",
    )


def nps_trend(page: Page, marts: Marts) -> None:
    mart = "survey_metrics_monthly"
    frame = page.usable(marts, mart, ["month_start", "metric", "metric_value"])
    if frame is None:
        return
    scores = company(frame[frame["metric"].isin(["nps", "enps"])]).copy()
    if scores.empty:
        page.notice(mart, "no company NPS or eNPS rows yet")
        return
    scores["month_start"] = pd.to_datetime(scores["month_start"])
    wide = scores.pivot_table(
        index="month_start", columns="metric", values="metric_value", aggfunc="mean"
    ).sort_index()
    columns = [
        (metric, name, colour)
        for metric, name, colour in (("nps", "NPS", BLUE), ("enps", "eNPS", ORANGE))
        if metric in wide.columns
    ]
    _monthly_lines(
        page,
        ("nps-enps-trend", mart, "Customer NPS and employee eNPS, company, by month"),
        wide,
        columns,
        what="customer NPS and employee eNPS (-100 to +100)",
        value_text=lambda v: f"{v:+.1f}",
        axis_label=charts.SIGNED_AXIS,
        note="eNPS stands in for the EX index until marts.rox_score holds it.",
    )


def revenue_trend(page: Page, marts: Marts) -> None:
    frame = page.usable(marts, "business_kpis", ["month_start", "revenue_eur"])
    if frame is None:
        return
    frame = frame.assign(month_start=pd.to_datetime(frame["month_start"])).sort_values(
        "month_start"
    )
    values = pd.to_numeric(frame["revenue_eur"], errors="coerce").fillna(0).astype(float).tolist()
    labels = [month(m) for m in frame["month_start"]]
    texts = [f"{label}: {eur(v)}" for label, v in zip(labels, values, strict=True)]
    page.figure(
        "revenue-trend",
        "business_kpis",
        "Revenue by month, net of returns",
        charts.column_chart(labels, values, texts, axis_label=charts.EUR_AXIS),
        description=f"Vertical bars of revenue for {len(values)} months from {labels[0]} to "
        f"{labels[-1]}; latest {eur(values[-1])}.",
        table=Table(
            ["month", "revenue"], [[m, eur(v)] for m, v in zip(labels, values, strict=True)]
        ),
    )
