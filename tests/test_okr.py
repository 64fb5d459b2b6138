"""The metric catalogue and OKR scoring: validation errors, hand-computed progress, roll-ups."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from analytics.metric_catalogue import (
    MetricCatalogueError,
    compute_metric_values,
    load_metric_catalogue,
    parse_metric_catalogue,
)
from analytics.okr import (
    OkrConfigError,
    key_result_progress,
    objective_progress,
    parse_okrs,
    value_stream_progress,
)
from ingest.settings import REPO_ROOT

KNOWN = {
    "value_stream": {"vs_a", "vs_b"},
    "job": {"job_a"},
    "touchpoint": {"delivery", "support"},
    "segment": {"consumer"},
    "team": {"care"},
}


def _metric(**overrides) -> dict:
    spec = {
        "label": "On-time delivery",
        "description": "Share of orders on time.",
        "unit": "percent",
        "direction": "higher_is_better",
        "source": "marts.fct_metric_observations",
        "expression": "100 per on-time order; mean",
        "aggregation": "ratio",
        "grains": ["day", "month"],
        "scopes": ["company", "touchpoint"],
    }
    return {**spec, **overrides}


@pytest.fixture
def catalogue():
    return parse_metric_catalogue(
        {
            "version": 1,
            "metrics": {
                "on_time": _metric(),
                "reply_hours": _metric(direction="lower_is_better", unit="hours"),
                "spend": _metric(aggregation="sum", grains=["month"], scopes=["company"]),
            },
        }
    )


def test_the_shipped_catalogue_loads_and_has_the_built_in_metrics() -> None:
    catalogue = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    built_in = {
        "nps", "csat", "ces", "enps", "review_rating", "sentiment", "churn_rate",
        "repeat_purchase_rate", "average_clv", "revenue_at_risk", "cac", "cost_to_serve",
        "first_reply_hours", "resolution_hours", "on_time_delivery", "return_rate",
    }  # fmt: skip
    assert built_in <= set(catalogue)
    assert catalogue["churn_rate"].direction == "lower_is_better"
    assert catalogue["revenue_at_risk"].aggregation == "sum"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"direction": "up"}, "metric 'm': direction 'up' is not one of"),
        ({"scopes": ["company", "planet"]}, "metric 'm': scope 'planet' is not one of"),
        ({"grains": ["week"]}, "metric 'm': grain 'week' is not one of"),
        ({"source": "raw.secrets; drop table x"}, "metric 'm': source"),
        ({"colour": "red"}, "metric 'm': unknown key(s) colour"),
        ({"unit": " "}, "metric 'm': 'unit' must be a non-empty text"),
    ],
)
def test_a_bad_catalogue_entry_is_refused_naming_file_and_metric(overrides, message) -> None:
    with pytest.raises(MetricCatalogueError, match="^metrics.yml: ") as err:
        parse_metric_catalogue({"version": 1, "metrics": {"m": _metric(**overrides)}})
    assert message in str(err.value)


def test_compute_metric_values_aggregates_ratios_and_sums_by_grain_and_scope(catalogue) -> None:
    observations = pd.DataFrame(
        {
            "metric": ["on_time", "on_time", "on_time", "spend", "spend", "other"],
            "observed_on": pd.to_datetime(
                ["2026-01-05", "2026-01-05", "2026-01-20", "2026-01-01", "2026-01-15", "2026-01-01"]
            ).date,
            "value_stream_id": [None] * 6,
            "job_id": [None] * 6,
            "segment": [None] * 6,
            "touchpoint_id": ["delivery", "delivery", None, None, None, None],
            "team": [None] * 6,
            "numerator": [100.0, 0.0, 100.0, 40.0, 60.0, 1.0],
            "denominator": [1.0, 1.0, 1.0, 0.0, 0.0, 1.0],
        }
    )
    con = duckdb.connect()
    con.register("observations_frame", observations)
    con.execute("create table obs as select * from observations_frame")
    values = compute_metric_values(con, catalogue, "obs").set_index(
        ["metric", "period_grain", "scope_type", "scope_id", "period_start"]
    )
    jan = dt.date(2026, 1, 1)
    assert values.loc[("on_time", "month", "company", "all", jan), "value"] == pytest.approx(
        200 / 3
    )
    assert values.loc[("on_time", "month", "company", "all", jan), "n"] == 3
    assert values.loc[("on_time", "month", "touchpoint", "delivery", jan), "value"] == 50.0
    assert values.loc[("on_time", "day", "company", "all", dt.date(2026, 1, 20)), "value"] == 100
    assert values.loc[("spend", "month", "company", "all", jan), "value"] == 100.0
    assert values.loc[("spend", "month", "company", "all", jan), "n"] == 2
    # Spend is monthly only, company only; a metric outside the catalogue is not aggregated.
    metrics = set(values.index.get_level_values("metric"))
    assert metrics == {"on_time", "spend"}
    assert not any(m == "spend" and g == "day" for m, g, *_ in values.index)
    with pytest.raises(ValueError, match="not a relation name"):
        compute_metric_values(con, catalogue, "obs; drop table obs")


def _okrs(*key_results: dict, objectives: list | None = None) -> dict:
    return {
        "version": 1,
        "objectives": objectives
        or [
            {
                "id": "O1",
                "statement": "Deliver on time",
                "value_stream": "vs_a",
                "job": "job_a",
                "owner": "Ops",
            }
        ],
        "key_results": list(key_results),
    }


def _kr(**overrides) -> dict:
    spec = {
        "id": "KR1",
        "objective": "O1",
        "metric": "on_time",
        "scope": "touchpoint:delivery",
        "baseline": 80,
        "target": 90,
        "start": dt.date(2026, 1, 1),
        "end": dt.date(2026, 12, 31),
        "weight": 1,
    }
    return {**spec, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"metric": "happiness"}, "key result 'KR1': unknown metric 'happiness'"),
        (
            {"scope": "touchpoint:teleport"},
            "key result 'KR1': scope 'touchpoint:teleport': unknown",
        ),
        ({"scope": "team:care"}, "on_time can be cut by company, touchpoint"),
        ({"objective": "O9"}, "key result 'KR1': unknown objective 'O9'"),
        ({"target": 70}, "target (70) must be above the baseline (80)"),
        ({"end": dt.date(2025, 1, 1)}, "end 2025-01-01 is not after start"),
        ({"weight": 0}, "weight must be positive"),
        ({"baseline": "eighty"}, "'baseline' must be a number"),
    ],
)
def test_a_bad_key_result_is_refused_naming_it(catalogue, overrides, message) -> None:
    with pytest.raises(OkrConfigError, match="^okrs.yml: ") as err:
        parse_okrs(_okrs(_kr(**overrides)), catalogue, KNOWN)
    assert message in str(err.value)


def test_an_objective_in_an_unknown_value_stream_is_refused(catalogue) -> None:
    objective = {"id": "O1", "statement": "s", "value_stream": "vs_x", "owner": "o"}
    with pytest.raises(OkrConfigError, match="objective 'O1': unknown value stream 'vs_x'"):
        parse_okrs(_okrs(_kr(), objectives=[objective]), catalogue, KNOWN)


def test_lower_is_better_targets_must_be_below_the_baseline(catalogue) -> None:
    with pytest.raises(OkrConfigError, match="target \\(12\\) must be below the baseline"):
        parse_okrs(_okrs(_kr(metric="reply_hours", baseline=10, target=12)), catalogue, KNOWN)


def _values(metric: str, scope: tuple[str, str], monthly: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "metric": metric,
                "period_grain": "month",
                "period_start": dt.date.fromisoformat(month + "-01"),
                "scope_type": scope[0],
                "scope_id": scope[1],
                "value": value,
                "n": 100,
            }
            for month, value in monthly.items()
        ]
    )


def _progress(catalogue, key_results: list[dict], values: pd.DataFrame, as_of: dt.date):
    objectives, krs = parse_okrs(_okrs(*key_results), catalogue, KNOWN)
    return key_result_progress(krs, objectives, catalogue, values, as_of), objectives


def test_progress_of_a_higher_is_better_key_result_by_hand(catalogue) -> None:
    values = _values("on_time", ("touchpoint", "delivery"), {"2026-01": 82, "2026-06": 88.5})
    progress, _ = _progress(catalogue, [_kr()], values, as_of=dt.date(2026, 6, 30))
    assert len(progress) == 6  # January to June
    june = progress.set_index("period_start").loc[dt.date(2026, 6, 1)]
    assert june["progress_unclipped"] == pytest.approx((88.5 - 80) / (90 - 80))
    assert june["progress"] == pytest.approx(0.85)
    assert june["expected_progress"] == pytest.approx(181 / 365)
    assert june["status"] == "on track"
    assert june["grade"] == pytest.approx(0.8) and june["grade_band"] == "green"
    january = progress.set_index("period_start").loc[dt.date(2026, 1, 1)]
    assert january["progress"] == pytest.approx(0.2)
    assert january["expected_progress"] == pytest.approx(31 / 365)
    # A month without data is reported, not dropped.
    march = progress.set_index("period_start").loc[dt.date(2026, 3, 1)]
    assert march["status"] == "no data" and pd.isna(march["progress"])


def test_progress_of_a_lower_is_better_key_result_by_hand(catalogue) -> None:
    kr = _kr(metric="reply_hours", scope="company", baseline=10, target=4)
    values = _values("reply_hours", ("company", "all"), {"2026-01": 8.5, "2026-02": 11})
    progress, _ = _progress(catalogue, [kr], values, as_of=dt.date(2026, 2, 28))
    by_month = progress.set_index("period_start")
    jan, feb = by_month.loc[dt.date(2026, 1, 1)], by_month.loc[dt.date(2026, 2, 1)]
    assert jan["progress_unclipped"] == pytest.approx((8.5 - 10) / (4 - 10))  # 0.25
    assert feb["progress_unclipped"] == pytest.approx((11 - 10) / (4 - 10))  # worse: -1/6
    assert feb["progress"] == 0.0
    # Expected 59/365 = 0.16 at the end of February; 0.0 is within 0.25 of it: at risk.
    assert feb["status"] == "at risk"
    assert jan["status"] == "on track"


def test_a_key_result_past_its_end_date_stops_at_its_end(catalogue) -> None:
    kr = _kr(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 15))
    values = _values("on_time", ("touchpoint", "delivery"), {"2026-03": 85, "2026-04": 95})
    progress, _ = _progress(catalogue, [kr], values, as_of=dt.date(2026, 10, 31))
    assert list(progress["period_start"]) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    final = progress.iloc[-1]
    assert bool(final["is_final_period"])
    assert final["expected_progress"] == 1.0
    assert final["progress"] == pytest.approx(0.5)
    assert final["status"] == "off track"  # 0.5 < 1.0 - 0.25


def test_a_zero_width_key_result_holds_the_line(catalogue) -> None:
    kr = _kr(metric="reply_hours", scope="company", baseline=6, target=6)
    values = _values("reply_hours", ("company", "all"), {"2026-01": 5.5, "2026-02": 6.5})
    progress, _ = _progress(catalogue, [kr], values, as_of=dt.date(2026, 2, 28))
    assert list(progress["kind"]) == ["maintain", "maintain"]
    assert list(progress["progress"]) == [1.0, 0.0]
    assert list(progress["status"]) == ["on track", "off track"]


def test_objective_and_value_stream_scores_are_weighted_means(catalogue) -> None:
    krs = [
        _kr(id="KR1", weight=3),
        _kr(id="KR2", metric="reply_hours", scope="company", baseline=10, target=5, weight=1),
    ]
    values = pd.concat(
        [
            _values("on_time", ("touchpoint", "delivery"), {"2026-01": 88}),
            _values("reply_hours", ("company", "all"), {"2026-01": 9}),
        ]
    )
    progress, objectives = _progress(catalogue, krs, values, as_of=dt.date(2026, 1, 31))
    objective = objective_progress(progress, objectives).iloc[0]
    assert objective["score"] == pytest.approx((3 * 0.8 + 1 * 0.2) / 4)
    assert objective["key_results"] == 2
    stream = value_stream_progress(progress).iloc[0]
    assert stream["value_stream_id"] == "vs_a"
    assert stream["score"] == pytest.approx(0.65)
