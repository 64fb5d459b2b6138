"""The opportunity map: where to invest next, for each job and for each territory, business unit
and sales channel.

A cell is a scope (one job, territory, business unit or channel) x touchpoint that its customers
pass. opportunity_score = importance share (0-1) x performance gap (0-1, 100 - score) x CLV at
stake (EUR): an important, weak touchpoint that many valuable customers pass scores high. Ranks
run within a scope type, so the job ranking reads as before and a territory's rows compare with
the other territories'. Plain pandas in and out, inputs as in analytics/driver_marts.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.driver_marts import driver_means
from analytics.moments import OUTCOME

# The order of the scope types in the mart: the job ranking first, as the report reads it.
SCOPE_TYPES = ("job", "territory", "business_unit", "channel")
# How a lever names the customers of a scope.
_WHO = {
    "job": "customers doing '{}'",
    "territory": "customers in {}",
    "business_unit": "customers of {}",
    "channel": "customers buying by {}",
}
COLUMNS = [
    "scope_type",
    "scope_id",
    "job",
    "touchpoint_id",
    "customers",
    "clv_at_stake_eur",
    "driver_scores",
    "performance_0_100",
    "importance_pct",
    "importance_source",
    "is_suppressed",
    "performance_gap",
    "opportunity_score",
    "rank",
    "lever",
]
CELL_COLUMNS = [
    "scope_id",
    "touchpoint_id",
    "customers",
    "clv_at_stake_eur",
    "driver_scores",
    "performance_0_100",
]


def scope_cells(
    scores: pd.DataFrame,
    scope_of_customer: pd.Series,
    clv_horizon_eur: pd.Series,
    unlinked: str | None = None,
) -> pd.DataFrame:
    """One row per scope x touchpoint that customers pass (CELL_COLUMNS).

    `scores`: compact rows (customer_id, touchpoint_id, signals, driver_scores,
    driver_score_sum_0_100); `scope_of_customer`: scope id by customer_id; `clv_horizon_eur`:
    CLV by customer_id (customers without one count 0). A customer passes a touchpoint with any
    signal there, scored or not; performance is the mean of the drivers' scores of the scope's
    signals there. Signals of no known customer, and customers without a scope, count as scope
    `unlinked` when it is given (the job 'unknown'), else they are left out.
    """
    rows = scores[scores["touchpoint_id"].notna()]
    scope = rows["customer_id"].map(scope_of_customer)
    if unlinked is not None:
        scope = scope.fillna(unlinked)
    rows = rows.assign(scope_id=scope.astype(object)).dropna(subset=["scope_id"])
    linked = rows[rows["customer_id"].notna() & (rows["signals"] > 0)]
    passed = linked[["scope_id", "touchpoint_id", "customer_id"]].drop_duplicates()
    passed = passed.assign(clv=passed["customer_id"].map(clv_horizon_eur))
    cells = passed.groupby(["scope_id", "touchpoint_id"], sort=True).agg(
        customers=("customer_id", "size"), clv_at_stake_eur=("clv", "sum")
    )
    cells["clv_at_stake_eur"] = cells["clv_at_stake_eur"].astype(float)
    counts = rows.groupby(["scope_id", "touchpoint_id"], sort=True)["driver_scores"].sum()
    cells["driver_scores"] = counts.reindex(cells.index).fillna(0).astype("int64")
    cells["performance_0_100"] = driver_means(rows, ["scope_id", "touchpoint_id"]).reindex(
        cells.index
    )
    return cells.reset_index()[CELL_COLUMNS]


def _lever(scope_type, scope_id, touchpoint, gap, importance, value, suppressed) -> str:
    who = _WHO[scope_type].format(scope_id)
    if suppressed:
        return f"Too few scores of {touchpoint} from {who} to rank it"
    if pd.isna(importance) or pd.isna(gap):
        return f"Not enough data on {touchpoint} for {who} to rank it"
    return (
        f"Raise {touchpoint} for {who}: {gap:.0f} points below perfect, {importance:.0f}% of "
        f"what drives recommendation, EUR {value:,.0f} of CLV passes through it"
    )


def opportunity_map(
    importance: pd.DataFrame,
    cells: dict[str, pd.DataFrame],
    own_importance: dict[str, pd.DataFrame] | None = None,
    *,
    min_scores: int = 1,
) -> pd.DataFrame:
    """marts.opportunity_map: one row per scope type x scope id x touchpoint.

    `importance`: driver_importance rows (outcome, driver, importance_pct); `cells`: scope type
    -> scope_cells of that type; `own_importance`: scope type -> the scopes' own weights
    (analytics.moments.scope_importance: scope_id, driver, importance_pct), used where a scope
    had enough answers, else the company's (importance_source says which). A cell with fewer
    than `min_scores` scored signals is suppressed: its performance, gap and score are null,
    `driver_scores` stays.
    """
    company = importance[importance["outcome"] == OUTCOME].set_index("driver")["importance_pct"]
    own_importance = own_importance or {}
    frames = []
    for scope_type in (t for t in SCOPE_TYPES if t in cells):
        out = cells[scope_type].copy()
        own = pd.Series(np.nan, index=out.index, dtype=float)
        weights = own_importance.get(scope_type)
        if weights is not None and not weights.empty:
            keyed = weights.set_index(["scope_id", "driver"])["importance_pct"]
            pairs = pd.MultiIndex.from_arrays([out["scope_id"], out["touchpoint_id"]])
            own = pd.Series(keyed.reindex(pairs).to_numpy(dtype=float), index=out.index)
        out["importance_pct"] = own.where(own.notna(), out["touchpoint_id"].map(company))
        out["importance_source"] = np.where(own.notna(), scope_type, "company")
        out["is_suppressed"] = out["driver_scores"] < min_scores
        out.loc[out["is_suppressed"], "performance_0_100"] = np.nan
        frames.append(out.assign(scope_type=scope_type))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["job"] = np.where(out["scope_type"] == "job", out["scope_id"], "all")
    out["performance_gap"] = 100.0 - out["performance_0_100"]
    out["opportunity_score"] = (
        out["importance_pct"] / 100.0 * out["performance_gap"] / 100.0 * out["clv_at_stake_eur"]
    )
    # Within a scope type; equal scores keep the cells' order (scope id, touchpoint), and the
    # cells without a score rank last.
    out["rank"] = (
        out.groupby("scope_type", sort=False)["opportunity_score"]
        .rank(ascending=False, method="first", na_option="bottom")
        .astype("int64")
    )
    out["lever"] = [
        _lever(*args)
        for args in zip(
            out["scope_type"],
            out["scope_id"],
            out["touchpoint_id"],
            out["performance_gap"],
            out["importance_pct"],
            out["clv_at_stake_eur"],
            out["is_suppressed"],
            strict=True,
        )
    ]
    order = out["scope_type"].map({t: i for i, t in enumerate(SCOPE_TYPES)})
    return (
        out.assign(_order=order)
        .sort_values(["_order", "rank", "scope_id", "touchpoint_id"], kind="stable")
        .reset_index(drop=True)[COLUMNS]
    )
