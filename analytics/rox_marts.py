"""Assemble marts.rox_score, marts.rox_by_initiative and marts.rox_portfolio from warehouse
frames (analytics/rox.py, analytics/rox_initiatives.py).

`scores` are compact rows (one per customer x month x touchpoint, with the customer's scopes
(CUSTOMER_SCOPES), `scores` and `score_sum_0_100`); `customers` one row per
customer_id with historic_margin_eur, tenure_weeks and clv_horizon_eur.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ex_link import (
    SOFT_STEP_COLUMNS,
    ExPanel,
    ex_cx_link,
    measure_soft_initiative,
    pulse_frame,
)
from analytics.rox import (
    SCOPE_COLUMN,
    Initiative,
    RoxSettings,
    annual_margin,
    band,
    band_values,
    cx_index,
    mean_scores,
    movement_value,
    rox_ratio,
    to_0_100,
)
from analytics.rox_initiatives import (
    HARD_CHANNEL,
    SOFT_CHANNEL,
    CustomerWeights,
    customer_weights,
    measure_initiative,
    portfolio,
)

COMPONENTS = ("nps", "csat", "ces", "review_rating", "sentiment")
CUSTOMER_SCOPES = (
    "job_id",
    "segment",
    "value_stream_id",
    "territory",
    "business_unit",
    "primary_channel",
)
# The scopes rox_score publishes besides the company, in this order.
SCORE_SCOPES = (
    "value_stream",
    "job",
    "segment",
    "touchpoint",
    "territory",
    "business_unit",
    "channel",
)


def customer_scores(scores: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """ROX's compact input: the scored rows of resolved customers, with each one's scopes.

    `scores`: int_customer_touchpoint_scores rows (customer_id, month_start, touchpoint_id,
    scores, score_sum_0_100), sorted by customer; `keys`: int_customer_keys (customer_id and
    the customer's CUSTOMER_SCOPES). Scope columns are categorical, so a
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
    """One row per month and scope (company and SCORE_SCOPES: value stream, job, segment,
    touchpoint, territory, business unit, channel)."""
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
        for scope_type in SCORE_SCOPES
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
        # Experience value created in the month (band movement + cost to serve avoided): not a
        # return on anything by itself; the headline ROX is the portfolio's (rox_portfolio).
        frame["experience_value_created_eur"] = (
            frame["movement_value_eur"].fillna(0.0) + frame["cost_to_serve_avoided_eur"]
        )
        frame["experience_value_created_ci_low_eur"] = (
            moved["movement_value_ci_low"] + frame["cost_to_serve_avoided_eur"]
        )
        frame["experience_value_created_ci_high_eur"] = (
            moved["movement_value_ci_high"] + frame["cost_to_serve_avoided_eur"]
        )
        frame["investment_eur"] = [
            _investment(initiatives, scope_type, scope_id, month) for month in frame.index
        ]
        # A monthly ROX only where investment in this very scope is live (an initiative scoped
        # to it): the company's month compares everything with everything and is left null.
        own = [0.0 if scope_type == "company" else i for i in frame["investment_eur"]]
        value = frame["experience_value_created_eur"]
        for column, values in (
            ("monthly_rox", value),
            ("monthly_rox_ci_low", frame["experience_value_created_ci_low_eur"]),
            ("monthly_rox_ci_high", frame["experience_value_created_ci_high_eur"]),
        ):
            frame[column] = [rox_ratio(v, i) for v, i in zip(values, own, strict=True)]
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
    pulse: pd.DataFrame | None = None,
    owning_team: dict[str, str] | None = None,
    forward: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """marts.rox_by_initiative, marts.rox_portfolio and marts.ex_cx_link, from one joint
    bootstrap over customers (and employees, for the EX steps).

    Hard initiatives act on CX directly (CX -> value); soft ones through their touchpoint's
    owning team's EX (EX -> CX -> value; `pulse`: int_team_pulse_monthly rows). `forward`:
    customer_id, month_start, forward_margin_annual_eur (int_customer_forward_margin), for the
    within-customer value per point; without it that estimate is null.
    """
    scores = scores.assign(month_start=pd.to_datetime(scores["month_start"]))
    customers = customers.assign(annual_margin_eur=annual_margin(customers, settings))
    as_of = scores.loc[scores["scores"] > 0, "month_start"].max()
    weights = customer_weights(scores, customers, settings)
    owning_team = owning_team or {}
    pulse = pulse_frame(pulse if pulse is not None else _NO_PULSE)
    employees = CustomerWeights(
        pulse["employee_id"].to_numpy(), settings.seed + 1, settings.bootstrap_samples
    )
    panel = ExPanel(pulse[pulse["month_start"] <= as_of], scores, employees, weights)
    soft_teams = {
        owning_team.get(i.scope_id) for i in initiatives if i.investment_kind == "soft"
    } - {None}
    rows, replicates = [], {}
    for initiative in initiatives:
        others = frozenset(i.scope_id for i in initiatives if i.scope_type == initiative.scope_type)
        team = (
            owning_team.get(initiative.scope_id) if initiative.scope_type == "touchpoint" else None
        )
        if initiative.investment_kind == "soft":
            channel = SOFT_CHANNEL
            if team is None:
                raise ValueError(
                    f"{initiative.initiative_id}: a soft initiative acts through the team that "
                    "owns its touchpoint: scope it to a touchpoint with an owning_team "
                    "(seed touchpoints)"
                )
            measured, value = measure_soft_initiative(
                scores, customers, panel, initiative, team, as_of, settings,
                frozenset(soft_teams), settings.ex_cx_lag_months, forward,
            )  # fmt: skip
        else:
            channel = HARD_CHANNEL
            measured, value = measure_initiative(
                scores, customers, initiative, as_of, settings, weights, others, forward
            )
            measured = {**dict.fromkeys(SOFT_STEP_COLUMNS, np.nan), "ex_cx_lag_months": None,
                        **measured}  # fmt: skip
        if value is not None:
            replicates[initiative.initiative_id] = value
        rows.append(
            {
                "initiative_id": initiative.initiative_id,
                "initiative_name": initiative.name,
                "scope_type": initiative.scope_type,
                "scope_id": initiative.scope_id,
                "investment_kind": initiative.investment_kind,
                "channel": channel,
                "team": team,
                "cost_per_month_eur": initiative.cost_per_month_eur,
                "start_month": initiative.start_month.date(),
                "as_of_month": as_of.date(),
                **measured,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["initiative_id", "investment_kind", "attributable_value_eur",
                                      "investment_to_date_eur"])  # fmt: skip
    link = ex_cx_link(panel, owning_team, settings.confidence)
    return frame, portfolio(frame, replicates, settings), link


_NO_PULSE = pd.DataFrame(
    {"team": [], "month_start": [], "employee_key": [], "answers": [], "ex_score_sum_0_100": []}
)
