"""Drivers and opportunities: the driver priority matrix, the opportunity ranking and the
action priorities."""

from __future__ import annotations

import pandas as pd

from report import charts
from report.colours import BLUE, GREEN
from report.formatting import eur, is_number, optional_float
from report.page import Marts, Options, Page, Table
from report.shaping import driver_outcome, quadrant

SECTION = (
    "drivers",
    "Drivers and opportunities",
    "Which touchpoints drive recommendation, how well we do there, and where improving pays most.",
)


def draw(page: Page, marts: Marts, options: Options) -> None:
    driver_matrix(page, marts)
    opportunities(page, marts)
    actions(page, marts)


def driver_matrix(page: Page, marts: Marts) -> None:
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
    cuts = (100.0 / len(rows), float(rows["performance_0_100"].median()))
    drivers = []
    for r in rows.to_dict("records"):
        importance, performance = float(r["importance_pct"]), float(r["performance_0_100"])
        drivers.append(
            charts.Driver(
                str(r["driver"]),
                importance,
                performance,
                quadrant(r.get("quadrant"), importance, performance, cuts),
                optional_float(r.get("importance_pct_ci_low")),
                optional_float(r.get("importance_pct_ci_high")),
            )
        )
    table = Table(
        ["driver", "importance %", "95% CI", "performance 0-100", "quadrant"],
        [
            [
                d.name,
                f"{d.importance:.1f}",
                f"{d.low:.1f} to {d.high:.1f}" if d.low is not None and d.high is not None else "",
                f"{d.performance:.1f}",
                d.quadrant,
            ]
            for d in sorted(drivers, key=lambda d: -d.importance)
        ],
    )
    page.figure(
        "driver-matrix",
        mart,
        f"Driver priority matrix: importance for {outcome} against performance",
        charts.priority_matrix(drivers, importance_cut=cuts[0], performance_cut=cuts[1]),
        description=(
            f"Scatter of {len(drivers)} drivers of {outcome}: importance against performance, "
            f"split into fix, leverage, maintain and monitor at {cuts[0]:.0f}% importance and "
            f"performance {cuts[1]:.0f}."
        ),
        table=table,
        note=(
            f"Importance: relative weight with 95% interval (the line). Dashed lines: average "
            f"importance ({cuts[0]:.0f}%) and median performance ({cuts[1]:.0f})."
        ),
    )


def _ranked(frame: pd.DataFrame, score: str, limit: int) -> pd.DataFrame:
    order = "rank" if "rank" in frame.columns else score
    return frame.sort_values(order, ascending=(order == "rank")).head(limit)


def opportunities(page: Page, marts: Marts) -> None:
    mart = "opportunity_map"
    frame = page.usable(marts, mart, ["opportunity_score"])
    if frame is None:
        return
    if "scope_type" in frame.columns:
        # The ranking of jobs x touchpoints; the territory, brand and channel rows restate it.
        frame = frame[frame["scope_type"] == "job"]
    bars, rows = [], []
    for r in _ranked(frame, "opportunity_score", 10).to_dict("records"):
        if not is_number(r["opportunity_score"]):
            continue
        parts = [str(r[c]) for c in ("touchpoint_id", "job") if c in r and r[c] is not None]
        label, value = " \u00b7 ".join(parts) or "opportunity", float(r["opportunity_score"])
        bars.append(charts.Bar(label, value, eur(value), f"{label}: {eur(value)}", colour=BLUE))
        gap = r.get("performance_gap")
        rows.append(
            [
                label,
                eur(value),
                eur(r["clv_at_stake_eur"]) if is_number(r.get("clv_at_stake_eur")) else "",
                f"{float(gap):.1f}" if is_number(gap) else "",
                str(r.get("lever") or ""),
            ]
        )
    if not bars:
        page.notice(mart, "no opportunity has a score yet")
        return
    page.figure(
        "opportunity-ranking",
        mart,
        "Top opportunities: importance x performance gap x CLV at stake",
        charts.bar_chart(bars, axis_label=charts.EUR_AXIS, axis_title="opportunity (EUR)"),
        description=f"Horizontal bars of the top {len(bars)} opportunities by value, largest "
        "first.",
        table=Table(["opportunity", "value", "CLV at stake", "performance gap", "lever"], rows),
    )


def actions(page: Page, marts: Marts) -> None:
    mart = "action_priorities"
    frame = page.usable(marts, mart, ["action", "priority_score"])
    if frame is None:
        return
    bars, rows = [], []
    for r in _ranked(frame, "priority_score", 12).to_dict("records"):
        if not is_number(r["priority_score"]):
            continue
        label, value = str(r["action"]), float(r["priority_score"])
        bars.append(charts.Bar(label, value, f"{value:.2f}", f"{label}: {value:.2f}", colour=GREEN))
        cost, stake = r.get("estimated_cost_eur"), r.get("value_at_stake_eur")
        rows.append(
            [
                label,
                f"{value:.2f}",
                str(r.get("touchpoint_id") or ""),
                eur(cost) if is_number(cost) else "",
                eur(stake) if is_number(stake) else "",
            ]
        )
    if not bars:
        page.notice(mart, "no action has a priority score yet")
        return
    page.figure(
        "action-priorities",
        mart,
        "Action priorities: value at stake per euro of cost and complexity",
        charts.bar_chart(bars, axis_label="format(datum.value, '.2f')"),
        description=f"Horizontal bars of {len(bars)} actions by priority score, highest first.",
        table=Table(["action", "priority", "touchpoint", "estimated cost", "value at stake"], rows),
    )
