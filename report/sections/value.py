"""Customer lifetime value and revenue at risk: the CLV distribution and revenue at risk by
segment."""

from __future__ import annotations

import pandas as pd

from report import charts
from report.colours import SKY, VERMILLION
from report.formatting import eur, is_number
from report.page import Marts, Options, Page, Table
from report.shaping import clv_histogram

SECTION = (
    "value",
    "Customer lifetime value and revenue at risk",
    "What customers are worth over the horizon and the revenue of customers likely to leave.",
)


def draw(page: Page, marts: Marts, options: Options) -> None:
    clv_distribution(page, marts)
    revenue_at_risk(page, marts)


def clv_distribution(page: Page, marts: Marts) -> None:
    mart = "customer_clv"
    frame = page.usable(marts, mart, ["clv_horizon_eur"])
    if frame is None:
        return
    edges, counts = clv_histogram(frame["clv_horizon_eur"])
    if not counts:
        page.notice(mart, "no customer has a CLV yet")
        return
    ranges = [f"{eur(lo)} to {eur(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    page.figure(
        "clv-distribution",
        mart,
        f"CLV distribution over the horizon, {sum(counts):,} customers",
        charts.histogram(
            edges,
            counts,
            [f"{r}: {n:,} customers" for r, n in zip(ranges, counts, strict=True)],
            axis_title="discounted CLV over the horizon; the last bin holds the top 1%",
            colour=SKY,
        ),
        description=f"Histogram of {sum(counts):,} customers' CLV in {len(counts)} bins from "
        f"{eur(edges[0])} to {eur(edges[-1])}.",
        table=Table(
            ["CLV", "customers"], [[r, f"{n:,}"] for r, n in zip(ranges, counts, strict=True)]
        ),
    )


def revenue_at_risk(page: Page, marts: Marts) -> None:
    mart = "clv_by_segment"
    frame = page.usable(marts, mart, ["segment", "revenue_at_risk_eur"])
    if frame is None:
        return
    numeric = frame.assign(
        revenue_at_risk_eur=pd.to_numeric(frame["revenue_at_risk_eur"], errors="coerce")
    )
    columns = ["revenue_at_risk_eur"]
    if "revenue_last_12_months_eur" in numeric.columns:
        columns.append("revenue_last_12_months_eur")
    by_segment = numeric.groupby("segment")[columns].sum()
    by_segment = by_segment.sort_values("revenue_at_risk_eur", ascending=False)
    bars, rows = [], []
    for segment, row in by_segment.iterrows():
        revenue = row.get("revenue_last_12_months_eur")
        at_risk = float(row["revenue_at_risk_eur"])
        share = at_risk / revenue if is_number(revenue) and revenue else None
        text = eur(at_risk) + (f" ({share:.0%})" if share is not None else "")
        bars.append(
            charts.Bar(str(segment), at_risk, text, f"{segment}: {text}", colour=VERMILLION)
        )
        rows.append(
            [
                str(segment),
                eur(at_risk),
                eur(revenue) if is_number(revenue) else "",
                f"{share:.0%}" if share is not None else "",
            ]
        )
    page.figure(
        "revenue-at-risk-by-segment",
        mart,
        "Revenue at risk by segment (share of the segment's last 12 months' revenue)",
        charts.bar_chart(bars, axis_label=charts.EUR_AXIS),
        description=f"Horizontal bars of revenue at risk for {len(bars)} segments, largest first.",
        table=Table(["segment", "revenue at risk", "revenue, last 12 months", "share"], rows),
    )
