"""What the report reads and where it writes: the marts and their columns, the page's path, and
the run that built it (with links into the Dagster UI). Light: no charting library imported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

DEFAULT_UI_BASE = "http://127.0.0.1:3000"

# The columns the report reads from each mart (a reader selects those that exist).
REPORT_MARTS: dict[str, tuple[str, ...]] = {
    "rox_by_initiative": (
        "initiative_id",
        "initiative_name",
        "scope_type",
        "scope_id",
        "investment_kind",
        "channel",
        "ex_effect_points",
        "ex_effect_ci_low",
        "ex_effect_ci_high",
        "ex_cx_effect",
        "ex_cx_effect_ci_low",
        "ex_cx_effect_ci_high",
        "effect_points",
        "effect_ci_low",
        "effect_ci_high",
        "value_per_point_eur",
        "value_per_point_ci_low",
        "value_per_point_ci_high",
        "investment_to_date_eur",
        "attributable_value_eur",
        "rox",
        "rox_ci_low",
        "rox_ci_high",
        "formula_version",
    ),
    "rox_portfolio": (
        "investment_kind",
        "attributable_value_eur",
        "investment_to_date_eur",
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
        "is_suppressed",
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
        "is_suppressed",
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
        "scope_type",
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
