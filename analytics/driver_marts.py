"""The levers: driver importance, the chain of CX value, action priorities (the opportunity
map is analytics/opportunities.py).

Plain pandas in and out; the orchestration reads the warehouse and writes the frames.
Customer-level inputs: one row per customer with their mean 0-100 score per touchpoint (the
drivers) and their outcomes. A customer without a signal at a touchpoint gets the touchpoint's
mean score (mean imputation, so every customer with an outcome counts; it dampens, but does not
reorder, the drivers' weights).

The scores arrive compact (dbt: int_customer_touchpoint_scores, one row per customer x month x
touchpoint with counts and sums of the 0-100 scores; relationship NPS answers are kept out of
the drivers' sums), customers as `customer_id` integers (int_customer_keys). Every mean is a
sum of sums over a sum of counts: the same numbers as over the signals themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.drivers import InsufficientDataError, priority_quadrant, relative_weights

OUTCOMES = {
    "likelihood_to_recommend": "latest NPS answer (0-10)",
    "retention": "still active at the end of the data (1) or not (0)",
    "spend_change_eur": "revenue of the last 12 months minus the 12 months before",
}


def driver_means(scores: pd.DataFrame, by: list[str]) -> pd.Series:
    """The mean 0-100 driver score by `by`: a sum of sums over a sum of counts."""
    totals = scores.groupby(by, sort=True, observed=True)[
        ["driver_score_sum_0_100", "driver_scores"]
    ].sum()
    totals = totals[totals["driver_scores"] > 0]
    return totals["driver_score_sum_0_100"] / totals["driver_scores"]


def driver_matrix(scores: pd.DataFrame) -> pd.DataFrame:
    """Customers x touchpoints mean 0-100 score of the drivers' signals, from compact `scores`
    (customer_id, touchpoint_id, driver_scores, driver_score_sum_0_100)."""
    linked = scores[scores["customer_id"].notna() & scores["touchpoint_id"].notna()]
    linked = linked.assign(customer_id=linked["customer_id"].astype("int64"))
    means = driver_means(linked, ["customer_id", "touchpoint_id"])
    return means.unstack("touchpoint_id")


def touchpoint_performance(scores: pd.DataFrame) -> pd.Series:
    """Each touchpoint's mean 0-100 score over all the drivers' signals, linked or not."""
    return driver_means(scores[scores["touchpoint_id"].notna()], ["touchpoint_id"])


def driver_importance(
    drivers: pd.DataFrame,
    outcomes: pd.DataFrame,
    performance: pd.Series,
    *,
    min_n: int = 30,
    seed: int = 0,
) -> pd.DataFrame:
    """Relative weights of every touchpoint for every outcome, with quadrants.

    `drivers`: customers x touchpoints (NaN where no signal); `outcomes`: customers x OUTCOMES;
    `performance`: each touchpoint's mean 0-100 score over all its signals. An outcome with
    fewer than `min_n` customers gets no weights.
    """
    imputed = drivers.fillna(drivers.mean())
    rows = []
    for outcome in OUTCOMES:
        if outcome not in outcomes:
            continue
        # Customers in key order: the seeded bootstrap draws rows by position, so the same data
        # read in another order must give the same intervals.
        y = outcomes[outcome].dropna().sort_index()
        X = imputed.reindex(y.index).dropna()
        y = y.reindex(X.index)
        try:
            result = relative_weights(X, y, n_bootstrap=300, min_n=min_n, seed=seed)
        except InsufficientDataError:
            continue  # the minimum-sample rule: no importance rather than a noisy one
        table = result.table.assign(outcome=outcome, r_squared=result.r_squared)
        table["performance_0_100"] = table["driver"].map(performance)
        by_driver = table.set_index("driver")
        # Important only when the interval's lower bound clears the mean importance, so a
        # driver near the line does not flip between quadrants with the sample.
        ci_low = by_driver["importance_pct_ci_low"]
        table["quadrant"] = priority_quadrant(
            by_driver["importance_pct"],
            by_driver["performance_0_100"],
            importance_ci_low=ci_low if ci_low.notna().all() else None,
        ).to_numpy()
        rows.append(table)
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    out["importance_rank"] = out.groupby("outcome")["importance_pct"].rank(
        ascending=False, method="first"
    )
    return out[
        [
            "outcome",
            "driver",
            "importance_pct",
            "importance_pct_ci_low",
            "importance_pct_ci_high",
            "raw_weight",
            "ci_low",
            "ci_high",
            "performance_0_100",
            "n",
            "r_squared",
            "quadrant",
            "importance_rank",
        ]
    ]


def _correlation(x: pd.Series, y: pd.Series) -> tuple[float, float, float, int]:
    """Pearson r with a 95% Fisher-z interval."""
    frame = pd.concat([x, y], axis=1).dropna()
    n = len(frame)
    if n < 10 or frame.iloc[:, 0].std() == 0 or frame.iloc[:, 1].std() == 0:
        return float("nan"), float("nan"), float("nan"), n
    r = float(np.corrcoef(frame.iloc[:, 0], frame.iloc[:, 1])[0, 1])
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    half = 1.959964 / np.sqrt(n - 3)
    return r, float(np.tanh(z - half)), float(np.tanh(z + half)), n


# The operational metrics of the chain (int_customer_operations) and the outcomes they drive.
OPERATIONS = (
    "on_time_delivery_rate",
    "return_rate",
    "mean_first_reply_minutes",
    "mean_resolution_minutes",
)
OPERATION_OUTCOMES = ("likelihood_to_recommend", "retention", "spend_change_eur")


def _link(from_layer, source, to_layer, target, effect, low, high, n, measure) -> dict:
    return {
        "from_layer": from_layer,
        "from_metric": source,
        "to_layer": to_layer,
        "to_metric": target,
        "effect_size": effect,
        "ci_low": low,
        "ci_high": high,
        "n": n,
        "effect_measure": measure,
    }


def cx_value_chain(
    operations: pd.DataFrame, drivers: pd.DataFrame, outcomes: pd.DataFrame, *, seed: int = 0
) -> pd.DataFrame:
    """One row per link of the chain: operational metrics -> outcome, experience -> outcome,
    outcome -> outcome.

    Operations: for each outcome, the combination of operational metrics that drives it, as
    relative weights (Johnson, % of the explained variance, bootstrap interval) over on-time
    delivery, returns (the right product), first reply and resolution times; a customer
    without tickets gets the mean reply and resolution time. There is no operations ->
    experience link: the touchpoint scores are built from the same fields (the delivery score
    from the on-time flag, the support score from reply times), so their correlation would be
    circular. Experience -> outcome and outcome -> outcome links are Pearson correlations with
    a 95% interval.
    """
    rows = []
    present = [m for m in OPERATIONS if m in operations]
    imputed = operations[present].fillna(operations[present].mean())
    for target in OPERATION_OUTCOMES:
        if not present or target not in outcomes:
            continue
        y = outcomes[target].reindex(imputed.index).dropna().sort_index()
        X = imputed.reindex(y.index).dropna(axis=1, how="all").dropna()
        try:
            result = relative_weights(X, y.reindex(X.index), n_bootstrap=200, seed=seed)
        except InsufficientDataError:
            continue
        for w in result.table.itertuples(index=False):
            rows.append(
                _link(
                    "operations", w.driver, "outcome", target, float(w.importance_pct),
                    float(w.importance_pct_ci_low), float(w.importance_pct_ci_high), int(w.n),
                    "relative_weight_pct",
                )
            )  # fmt: skip
    links = [
        ("experience", touchpoint, "outcome", "likelihood_to_recommend")
        for touchpoint in drivers.columns
    ]
    links += [
        ("outcome", "likelihood_to_recommend", "outcome", target)
        for target in (
            "retention",
            "spend_change_eur",
            "margin_last_12_months_eur",
            "is_cross_sold",
        )
    ]
    tables = {"experience": drivers, "outcome": outcomes}
    for from_layer, source, to_layer, target in links:
        left, right = tables[from_layer], tables[to_layer]
        if source not in left or target not in right:
            continue
        r, low, high, n = _correlation(left[source], right[target].reindex(left.index))
        rows.append(
            _link(from_layer, source, to_layer, target, r, low, high, n, "pearson_correlation")
        )
    return pd.DataFrame(rows)


def tickets_last_12_months(metric_values: pd.DataFrame, as_of) -> pd.Series:
    """Tickets per touchpoint in the 12 months up to `as_of`: the n of the monthly
    first_reply_hours values (one per ticket with a first reply) by touchpoint."""
    rows = metric_values[
        (metric_values["metric"] == "first_reply_hours")
        & (metric_values["period_grain"] == "month")
        & (metric_values["scope_type"] == "touchpoint")
    ]
    start = pd.Timestamp(as_of).replace(day=1) - pd.DateOffset(months=11)
    months = pd.to_datetime(rows["period_start"])
    recent = rows[(months >= start) & (months <= pd.Timestamp(as_of))]
    return recent.groupby("scope_id")["n"].sum().astype(float)


# The value an action brings in the first year after it starts: an action that takes longer to
# deliver earns for fewer of those months (docs/drivers.md, "Priorities").
VALUE_HORIZON_MONTHS = 12


def action_priorities(
    actions: pd.DataFrame,
    opportunities: pd.DataFrame,
    tickets_last_12_months: pd.Series | None = None,
    cost_per_ticket_eur: float = 0.0,
) -> pd.DataFrame:
    """Candidate actions ranked by the value at stake they address against cost, duration and
    complexity (docs/drivers.md, "Priorities").

    value_at_stake_eur = revenue_and_retention_eur + cost_to_serve_eur, where
      revenue_and_retention_eur = the opportunity score of the action's touchpoint summed over
        jobs (importance x performance gap x CLV at stake: CLV is revenue over the horizon,
        retention included);
      cost_to_serve_eur = the touchpoint's tickets of the last 12 months x cost per ticket x
        its performance gap (the share of that support a perfect touchpoint would avoid).
    first_year_value_eur = value_at_stake_eur x (12 - duration_months) / 12 (0 beyond a year);
    effort_eur = estimated_cost_eur x (1 + (complexity_1_5 - 1) / 4);
    priority_score = first_year_value_eur / effort_eur. Ties: the shorter action first, then
    the cheaper, then the action id, so no two actions share a rank.
    """
    if "scope_type" in opportunities:
        # The job rows cover every customer once; the other scope types restate them.
        opportunities = opportunities[opportunities["scope_type"] == "job"]
    stake = opportunities.groupby("touchpoint_id")["opportunity_score"].sum()
    gap = opportunities.groupby("touchpoint_id")["performance_gap"].mean() / 100.0
    tickets = (
        tickets_last_12_months if tickets_last_12_months is not None else pd.Series(dtype=float)
    )
    out = actions.copy()
    out["revenue_and_retention_eur"] = out["touchpoint_id"].map(stake).fillna(0.0)
    out["cost_to_serve_eur"] = (
        out["touchpoint_id"].map(tickets).fillna(0.0).astype(float)
        * float(cost_per_ticket_eur)
        * out["touchpoint_id"].map(gap).fillna(0.0)
    )
    out["value_at_stake_eur"] = out["revenue_and_retention_eur"] + out["cost_to_serve_eur"]
    months_earning = (VALUE_HORIZON_MONTHS - out["duration_months"]).clip(lower=0)
    out["first_year_value_eur"] = out["value_at_stake_eur"] * months_earning / VALUE_HORIZON_MONTHS
    out["effort_eur"] = out["estimated_cost_eur"].clip(lower=1.0) * (
        1.0 + (out["complexity_1_5"].clip(lower=1, upper=5) - 1) / 4.0
    )
    out["priority_score"] = out["first_year_value_eur"] / out["effort_eur"]
    order = ["priority_score", "duration_months", "estimated_cost_eur", "action_id"]
    ascending = [False, True, True, True]
    ranked = out.sort_values(order, ascending=ascending, kind="stable")
    out["rank"] = pd.Series(range(1, len(out) + 1), index=ranked.index).reindex(out.index)
    in_area = ranked.groupby("area", sort=False).cumcount() + 1
    out["rank_in_area"] = in_area.reindex(out.index).astype(int)
    out["rank"] = out["rank"].astype(int)
    return out.sort_values(["area", "rank_in_area"]).reset_index(drop=True)
