"""Assemble marts.rox_score and marts.rox_by_initiative from warehouse frames (analytics/rox.py).

`scores` are compact rows (one per customer x month x touchpoint, with the customer's job_id,
segment and value_stream_id, `scores` and `score_sum_0_100`); `customers` one row per
customer_id with historic_margin_eur, tenure_weeks and clv_horizon_eur.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.rox import (
    SCOPE_COLUMN,
    Initiative,
    RoxSettings,
    annual_margin,
    band,
    band_values,
    cx_index,
    initiative_return,
    mean_scores,
    movement_value,
    rox_ratio,
    to_0_100,
)

COMPONENTS = ("nps", "csat", "ces", "review_rating", "sentiment")
CUSTOMER_SCOPES = ("job_id", "segment", "value_stream_id")


def customer_scores(scores: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """ROX's compact input: the scored rows of resolved customers, with each one's scopes.

    `scores`: int_customer_touchpoint_scores rows (customer_id, month_start, touchpoint_id,
    scores, score_sum_0_100), sorted by customer; `keys`: int_customer_keys (customer_id and
    the customer's job_id, segment, value_stream_id). Scope columns are categorical, so a
    million customers' rows hold small codes rather than strings.
    """
    kept = scores[scores["customer_id"].notna() & (scores["scores"] > 0)]
    ids = kept["customer_id"].to_numpy("int64")
    keys = keys.sort_values("customer_id", kind="stable")
    known = keys["customer_id"].to_numpy("int64")
    position = np.searchsorted(known, ids)
    if len(ids) and (position.max() >= len(known) or (known[position] != ids).any()):
        raise ValueError("scores name customer ids that int_customer_keys does not have")
    out = pd.DataFrame(
        {
            "customer_id": ids,
            "month_start": pd.to_datetime(kept["month_start"]).to_numpy(),
            "touchpoint_id": kept["touchpoint_id"].astype("category").to_numpy(),
        }
    )
    for column in CUSTOMER_SCOPES:
        scope = pd.Categorical(keys[column])
        out[column] = pd.Categorical.from_codes(scope.codes[position], scope.categories)
    out["scores"] = kept["scores"].to_numpy("int64")
    out["score_sum_0_100"] = kept["score_sum_0_100"].to_numpy(float)
    return out


def clv_customers(clv: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """One row per customer of marts.customer_clv, by customer_id: margin, tenure and CLV."""
    linked = clv.merge(keys[["customer_key", "customer_id"]], on="customer_key", how="inner")
    out = linked.rename(columns={"t": "tenure_weeks"})[
        ["customer_id", "historic_margin_eur", "tenure_weeks", "clv_horizon_eur"]
    ]
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)


def _metric(metric_values: pd.DataFrame, metric: str, scope_type: str, scope_id: str) -> pd.Series:
    rows = metric_values[
        (metric_values["metric"] == metric)
        & (metric_values["scope_type"] == scope_type)
        & (metric_values["scope_id"] == scope_id)
    ]
    return rows.set_index(pd.to_datetime(rows["period_start"]))["value"].astype(float)


def _in_scope(frame: pd.DataFrame, scope_type: str, scope_id: str) -> pd.Series:
    if scope_type == "company":
        return pd.Series(True, index=frame.index)
    return frame[SCOPE_COLUMN[scope_type]] == scope_id


def _investment(initiatives: list[Initiative], scope_type: str, scope_id: str, month) -> float:
    """Monthly cost of the initiatives live in a month in a scope (all of them for company)."""
    return sum(
        i.cost_per_month_eur
        for i in initiatives
        if i.start_month <= month
        and (scope_type == "company" or (i.scope_type, i.scope_id) == (scope_type, scope_id))
    )


def rox_score(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    active: pd.DataFrame,
    metric_values: pd.DataFrame,
    initiatives: list[Initiative],
    known_scopes: dict[str, set[str]],
    owning_team: dict[str, str],
    settings: RoxSettings,
) -> pd.DataFrame:
    """One row per month and scope (company, value stream, job, segment, touchpoint)."""
    scores = scores.assign(month_start=pd.to_datetime(scores["month_start"]))
    customers = customers.assign(annual_margin_eur=annual_margin(customers, settings))
    overall = mean_scores(scores, ["customer_id"])
    scored = customers.set_index("customer_id").join(overall, how="inner").reset_index()
    margin_by_band = band_values(scored, settings)
    clv_by_band = (
        scored.groupby(band(scored["mean_score"], settings))["clv_horizon_eur"].mean().to_dict()
    )
    active = active.assign(month_start=pd.to_datetime(active["month_start"]))
    scopes = [("company", "all")] + [
        (scope_type, scope_id)
        for scope_type in ("value_stream", "job", "segment", "touchpoint")
        for scope_id in sorted(known_scopes.get(scope_type, set()))
    ]
    frames = []
    for scope_type, scope_id in scopes:
        in_scope = scores[_in_scope(scores, scope_type, scope_id)]
        monthly = mean_scores(in_scope, ["customer_id", "month_start"]).reset_index()
        # Touchpoints serve every customer: their population is the company's.
        population = "company" if scope_type == "touchpoint" else scope_type
        active_here = (
            active[_in_scope(active, population, scope_id)]
            .groupby("month_start")["active_customers"]
            .sum()
        )
        moved = movement_value(monthly, margin_by_band, active_here, settings)
        if moved.empty:
            continue
        moved["month_start"] = pd.to_datetime(moved["month_start"])
        moved = moved.set_index("month_start")
        frame = pd.DataFrame(index=moved.index)
        frame["scope_type"], frame["scope_id"] = scope_type, scope_id
        components = pd.DataFrame(
            {m: _metric(metric_values, m, scope_type, scope_id) for m in COMPONENTS}
        ).reindex(frame.index)
        for m in COMPONENTS:
            frame[f"{m}_0_100"] = to_0_100(m, components[m])
        frame["cx_index"] = cx_index(components, settings.cx_weights)
        frame["ex_index"] = _ex_index(metric_values, scope_type, scope_id, owning_team).reindex(
            frame.index
        )
        frame["active_customers"] = active_here.reindex(frame.index).fillna(0).astype("int64")
        for column in ("share_pain", "share_neutral", "share_love", "respondents"):
            frame[column] = moved[column]
        frame["movement_value_eur"] = moved["movement_value_eur"]
        cost_to_serve = _metric(metric_values, "cost_to_serve", scope_type, scope_id)
        cost_to_serve = cost_to_serve.reindex(frame.index)
        avoided = (cost_to_serve.shift(1) - cost_to_serve) * frame["active_customers"]
        frame["cost_to_serve_avoided_eur"] = avoided.fillna(0.0)
        frame["attributable_value_eur"] = (
            frame["movement_value_eur"].fillna(0.0) + frame["cost_to_serve_avoided_eur"]
        )
        low = moved["movement_value_ci_low"] + frame["cost_to_serve_avoided_eur"]
        high = moved["movement_value_ci_high"] + frame["cost_to_serve_avoided_eur"]
        frame["investment_eur"] = [
            _investment(initiatives, scope_type, scope_id, month) for month in frame.index
        ]
        frame["rox"] = [
            rox_ratio(v, i)
            for v, i in zip(frame["attributable_value_eur"], frame["investment_eur"], strict=True)
        ]
        frame["rox_ci_low"] = [
            rox_ratio(v, i) for v, i in zip(low, frame["investment_eur"], strict=True)
        ]
        frame["rox_ci_high"] = [
            rox_ratio(v, i) for v, i in zip(high, frame["investment_eur"], strict=True)
        ]
        frame["revenue_at_risk_eur"] = _metric(
            metric_values, "revenue_at_risk", scope_type, scope_id
        ).reindex(frame.index)
        frame["churn_rate"] = _metric(metric_values, "churn_rate", scope_type, scope_id).reindex(
            frame.index
        )
        shares = moved[["share_pain", "share_neutral", "share_love"]]
        clv_vector = np.array([clv_by_band.get(b, 0.0) for b in ("pain", "neutral", "love")])
        frame["clv_delta_eur"] = (shares.diff() * clv_vector).sum(axis=1, min_count=1) * frame[
            "active_customers"
        ]
        frame["cost_to_serve_eur"] = cost_to_serve
        frames.append(frame.reset_index())
    result = pd.concat(frames, ignore_index=True)
    for b, value in margin_by_band.items():
        result[f"annual_margin_{b}_eur"] = value
    result["month_start"] = result["month_start"].dt.date
    return result


def _ex_index(
    metric_values: pd.DataFrame, scope_type: str, scope_id: str, owning_team: dict[str, str]
) -> pd.Series:
    """EX index from eNPS: the owning team's for a touchpoint, the company's elsewhere.

    Months without pulse answers are null ("not measured"), never zero.
    """
    if scope_type == "touchpoint" and scope_id in owning_team:
        enps = _metric(metric_values, "enps", "team", owning_team[scope_id])
    else:
        enps = _metric(metric_values, "enps", "company", "all")
    return to_0_100("enps", enps)


def rox_by_initiative(
    scores: pd.DataFrame,
    customers: pd.DataFrame,
    initiatives: list[Initiative],
    settings: RoxSettings,
) -> pd.DataFrame:
    scores = scores.assign(month_start=pd.to_datetime(scores["month_start"]))
    customers = customers.assign(annual_margin_eur=annual_margin(customers, settings))
    as_of = scores.loc[scores["scores"] > 0, "month_start"].max()
    rows = []
    for initiative in initiatives:
        others = frozenset(i.scope_id for i in initiatives if i.scope_type == initiative.scope_type)
        measured = initiative_return(scores, customers, initiative, as_of, settings, others)
        rows.append(
            {
                "initiative_id": initiative.initiative_id,
                "initiative_name": initiative.name,
                "scope_type": initiative.scope_type,
                "scope_id": initiative.scope_id,
                "investment_kind": initiative.investment_kind,
                "cost_per_month_eur": initiative.cost_per_month_eur,
                "start_month": initiative.start_month.date(),
                "as_of_month": as_of.date(),
                **measured,
            }
        )
    return pd.DataFrame(rows)
