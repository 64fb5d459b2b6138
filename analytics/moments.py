"""Moments that matter from the driver analysis, for the company and for each job, territory,
business unit and sales channel.

A touchpoint is a moment that matters for a scope when its relative-weight importance for
likelihood to recommend is *important* (the lower bound of its bootstrap interval clears the
mean importance, 100 / number of touchpoints, so a touchpoint near the line does not flip with
the sample) and it is among the scope's `top_n` touchpoints by importance. A scope's importance
is its own where it has enough customers with an answer (`min_n`), else the company's, flagged
`importance_source = 'company'`. Plain pandas in and out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.drivers import InsufficientDataError, priority_quadrant, relative_weights

OUTCOME = "likelihood_to_recommend"
IMPORTANCE_COLUMNS = ["importance_pct", "importance_pct_ci_low", "importance_pct_ci_high", "n"]
COLUMNS = [
    "scope_type",
    "scope_id",
    "touchpoint_id",
    *IMPORTANCE_COLUMNS,
    "importance_source",
    "performance_0_100",
    "quadrant",
    "importance_rank",
    "is_moment_that_matters",
]


def scope_importance(
    drivers: pd.DataFrame,
    outcomes: pd.DataFrame,
    scope_of_customer: pd.Series,
    *,
    min_n: int,
    n_bootstrap: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Relative weights of the touchpoints for likelihood to recommend within each scope (a
    job, territory, business unit or channel: `scope_of_customer` maps customer to scope id),
    with bootstrap intervals: scope_id, driver and IMPORTANCE_COLUMNS, for the scopes with at
    least `min_n` customers with an answer (one with fewer is left out: the company's
    importance stands in for it). `drivers` and `outcomes` are indexed by customer, as in
    analytics/driver_marts.py.
    """
    out = pd.DataFrame(columns=["scope_id", "driver", *IMPORTANCE_COLUMNS])
    if OUTCOME not in outcomes:
        return out
    imputed = drivers.fillna(drivers.mean())
    y_all = outcomes[OUTCOME].dropna().sort_index()
    scopes = scope_of_customer.reindex(y_all.index)
    rows = []
    for scope_id in sorted(scopes.dropna().unique()):
        y = y_all[scopes == scope_id]
        X = imputed.reindex(y.index).dropna()
        try:
            result = relative_weights(
                X, y.reindex(X.index), n_bootstrap=n_bootstrap, min_n=min_n, seed=seed
            )
        except InsufficientDataError:
            continue
        rows.append(result.table[["driver", *IMPORTANCE_COLUMNS]].assign(scope_id=scope_id))
    if not rows:
        return out
    return pd.concat(rows, ignore_index=True)[out.columns]


def scope_performance(scores: pd.DataFrame, scope_of_customer: pd.Series) -> pd.DataFrame:
    """Each scope's mean 0-100 score at each touchpoint (scope_id, touchpoint_id,
    performance_0_100) over its customers' driver scores (compact rows as in
    analytics/driver_marts.py: customer_id, touchpoint_id, driver_scores,
    driver_score_sum_0_100). Customers without a scope are left out."""
    rows = scores[scores["customer_id"].notna() & scores["touchpoint_id"].notna()]
    rows = rows.assign(scope_id=rows["customer_id"].astype("int64").map(scope_of_customer))
    sums = (
        rows.dropna(subset=["scope_id"])
        .groupby(["scope_id", "touchpoint_id"], sort=True)[
            ["driver_score_sum_0_100", "driver_scores"]
        ]
        .sum()
    )
    sums = sums[sums["driver_scores"] > 0]
    performance = sums["driver_score_sum_0_100"] / sums["driver_scores"]
    return performance.rename("performance_0_100").reset_index()


def _scope_rows(importance: pd.DataFrame, performance: pd.Series, top_n: int) -> pd.DataFrame:
    """Quadrant, rank and moment flag of one scope's touchpoints (indexed by touchpoint)."""
    table = importance.copy()
    table["performance_0_100"] = performance.reindex(table.index)
    low = table["importance_pct_ci_low"]
    placed = table["performance_0_100"].notna() & table["importance_pct"].notna()
    table["quadrant"] = None
    if placed.any():
        table.loc[placed, "quadrant"] = priority_quadrant(
            table.loc[placed, "importance_pct"],
            table.loc[placed, "performance_0_100"],
            importance_threshold=100.0 / len(table),
            importance_ci_low=low[placed] if low[placed].notna().all() else None,
        )
    # Rank by importance, ties by touchpoint id, so equal weights rank the same every run.
    order = table.reset_index().sort_values(
        ["importance_pct", "touchpoint_id"], ascending=[False, True], kind="stable"
    )
    rank = pd.Series(np.arange(1, len(order) + 1), index=order["touchpoint_id"].to_numpy())
    table["importance_rank"] = rank.reindex(table.index).astype("int64")
    important = low > 100.0 / len(table)
    table["is_moment_that_matters"] = (important & (table["importance_rank"] <= top_n)).astype(bool)
    return table


def moments_that_matter(
    company: pd.DataFrame,
    company_performance: pd.Series,
    scopes: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
    *,
    top_n: int,
) -> pd.DataFrame:
    """marts.moments_that_matter: one row per scope (the company, then each scope id of
    `scopes`) and touchpoint (COLUMNS).

    `company`: driver_importance rows (outcome, driver, IMPORTANCE_COLUMNS);
    `company_performance`: each touchpoint's mean 0-100 score; `scopes`: scope type (job,
    territory, business_unit, channel) -> (scope_importance, scope_performance) of that type.
    Every scope id with a performance gets rows: its own weights where it had enough answers
    (importance_source = the scope type), else the company's (importance_source = company).
    """
    weights = company[company["outcome"] == OUTCOME].set_index("driver")[IMPORTANCE_COLUMNS]
    if weights.empty:
        return pd.DataFrame(columns=COLUMNS)
    weights.index.name = "touchpoint_id"
    frames = [
        _scope_rows(weights, company_performance, top_n).assign(
            scope_type="company", scope_id="all", importance_source="company"
        )
    ]
    for scope_type, (importance, performance) in scopes.items():
        own = importance.set_index(["scope_id", "driver"])
        with_own = set(own.index.get_level_values("scope_id"))
        for scope_id in sorted(performance["scope_id"].unique()):
            here = performance[performance["scope_id"] == scope_id]
            if scope_id in with_own:
                table, source = own.loc[scope_id].reindex(weights.index), scope_type
            else:
                table, source = weights, "company"
            frames.append(
                _scope_rows(
                    table[IMPORTANCE_COLUMNS],
                    here.set_index("touchpoint_id")["performance_0_100"],
                    top_n,
                ).assign(scope_type=scope_type, scope_id=scope_id, importance_source=source)
            )
    out = pd.concat(frames).reset_index()
    out["n"] = out["n"].astype("int64")
    return out[COLUMNS].reset_index(drop=True)
