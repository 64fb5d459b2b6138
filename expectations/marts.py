"""The Great Expectations part of the mart gates.

The Python marts (CLV, drivers, OKR, ROX: written by `analytics/`, not dbt) have their grain and
ranges here: grain unique, scores and rates on their scales (NPS -100..100, scores 0-100,
CLV >= 0, probabilities 0-1), customer keys known to staging. The dbt marts have theirs as dbt
tests in their YAML; only their tolerated shares are here. Every mart also gets the table-level
gates (personal data, row count: `expectations/table_checks.py`).
"""

from __future__ import annotations

from expectations.spec import (
    Expect,
    at_least,
    between,
    between_where,
    in_set,
    not_null,
    references,
    unique,
    unique_together,
    valid_date,
)

SUITE_NAME = "marts"

ACCOUNTS = "staging.stg_salesforce__accounts"


def _share(*columns: str) -> list[Expect]:
    return [between(c, 0, 1) for c in columns]


def _score_0_100(*columns: str) -> list[Expect]:
    return [between(c, 0, 100) for c in columns]


def _okr_status() -> Expect:
    # As analytics/okr.py STATUSES: "no data" when a key result's metric has no value yet.
    return in_set("status", ["on track", "at risk", "off track", "no data"])


MARTS_SUITE: dict[str, list[Expect]] = {
    # dbt marts: their grain and ranges are dbt tests (models/marts/*.yml); the tolerated share
    # of customer keys unknown to staging stays here.
    "fct_experience_events": [references("customer_key", ACCOUNTS)],
    "fct_metric_observations": [references("customer_key", ACCOUNTS)],
    # Python marts (analytics/): no dbt model, so their grain and ranges are gated here.
    "customer_clv": [
        not_null("customer_key"),
        unique("customer_key"),
        not_null("p_alive"),
        between("p_alive", 0, 1),
        not_null("clv_12m_eur"),
        at_least("clv_12m_eur", 0),
        at_least("clv_horizon_eur", 0),
        at_least("expected_purchases_12m", 0),
        between("clv_decile", 1, 10),
        references("customer_key", ACCOUNTS),
    ],
    "clv_by_segment": [
        unique_together("segment", "job"),
        at_least("customers", 0),
        between("mean_p_alive", 0, 1),
        at_least("clv_12m_eur", 0),
        at_least("clv_horizon_eur", 0),
        at_least("revenue_at_risk_eur", 0),
        between("share_revenue_at_risk", 0, 1),
    ],
    "clv_backtest": [
        not_null("run_id"),
        unique("run_id"),
        at_least("customers", 1),
        between("correlation", -1, 1),
        valid_date("computed_at"),
    ],
    "driver_importance": [
        unique_together("outcome", "driver"),
        between("importance_pct", 0, 100),
        between("performance_0_100", 0, 100),
        between("r_squared", 0, 1),
        at_least("n", 1),
        in_set("quadrant", ["leverage", "fix", "monitor", "maintain"]),
    ],
    "moments_that_matter": [
        unique_together("scope_type", "scope_id", "touchpoint_id"),
        in_set("scope_type", ["company", "job", "territory", "business_unit", "channel"]),
        in_set("importance_source", ["company", "job", "territory", "business_unit", "channel"]),
        between("importance_pct", 0, 100),
        between("performance_0_100", 0, 100),
        at_least("n", 1),
        at_least("importance_rank", 1),
        in_set("quadrant", ["leverage", "fix", "monitor", "maintain"]),
        not_null("is_moment_that_matters"),
    ],
    "cx_value_chain": [
        unique_together("from_layer", "from_metric", "to_layer", "to_metric"),
        at_least("n", 1),
        *(
            between_where(c, -1, 1, "effect_measure", "pearson_correlation")
            for c in ("effect_size", "ci_low", "ci_high")
        ),
    ],
    "opportunity_map": [
        unique_together("scope_type", "scope_id", "touchpoint_id"),
        in_set("scope_type", ["job", "territory", "business_unit", "channel"]),
        unique_together("scope_type", "rank"),
        not_null("rank"),
        between("performance_0_100", 0, 100),
        between("importance_pct", 0, 100),
        at_least("clv_at_stake_eur", 0),
    ],
    "action_priorities": [
        not_null("action_id"),
        unique("action_id"),
        unique("rank"),
        between("complexity_1_5", 1, 5),
        at_least("estimated_cost_eur", 0),
        at_least("value_at_stake_eur", 0),
    ],
    "action_roadmap": [
        unique_together("action_id", "month_start"),
        at_least("month_of_action", 1),
        at_least("parallel_capacity", 1),
    ],
    "okr_progress": [
        unique_together("key_result_id", "period_start"),
        *_share("progress", "expected_progress", "grade"),
        _okr_status(),
    ],
    "okr_objective_progress": [
        unique_together("objective_id", "period_start"),
        *_share("score", "expected_progress", "grade"),
        _okr_status(),
    ],
    "okr_value_stream_progress": [
        unique_together("value_stream_id", "period_start"),
        *_share("score", "expected_progress", "grade"),
        _okr_status(),
    ],
    "okr_company_progress": [
        unique("period_start"),
        *_share("score", "expected_progress", "grade"),
        _okr_status(),
    ],
    "rox_score": [
        unique_together("month_start", "scope_type", "scope_id"),
        *_score_0_100("cx_index", "ex_index", "nps_0_100", "csat_0_100", "ces_0_100"),
        *_score_0_100("review_rating_0_100", "sentiment_0_100"),
        *_share("share_pain", "share_neutral", "share_love"),
        at_least("investment_eur", 0),
        not_null("formula_version"),
    ],
    "rox_by_initiative": [
        not_null("initiative_id"),
        unique("initiative_id"),
        at_least("cost_per_month_eur", 0),
        at_least("months_live", 0),
        at_least("investment_to_date_eur", 0),
    ],
    "ex_cx_link": [
        unique_together("team", "touchpoint", "lag_months"),
        at_least("lag_months", 0),
        at_least("n", 0),
    ],
    "rox_portfolio": [
        not_null("investment_kind"),
        unique("investment_kind"),
        at_least("investment_to_date_eur", 0),
        not_null("formula_version"),
    ],
}
