"""ROX: hand-computed effect, value and ROX on tiny fixtures; zero investment; missing EX data;
validation of the settings and the investment ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.rox import (
    Initiative,
    RoxSettings,
    cx_index,
    initiative_return,
    movement_value,
    rox_ratio,
)
from analytics.rox_marts import rox_score

SETTINGS = RoxSettings(
    cx_weights={"nps": 0.5, "csat": 0.5}, baseline_months=1, bootstrap_samples=50
)
JAN, FEB = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")


def _events() -> pd.DataFrame:
    rows = [
        # customer, month, touchpoint, score
        ("A", JAN, "t", 40.0), ("A", FEB, "t", 70.0), ("A", JAN, "c", 60.0), ("A", FEB, "c", 60.0),
        ("B", JAN, "t", 60.0), ("B", FEB, "t", 70.0), ("B", JAN, "c", 60.0), ("B", FEB, "c", 62.0),
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=["customer_key", "month_start", "touchpoint_id", "score_0_100"]
    )


CUSTOMERS = pd.DataFrame({"customer_key": ["A", "B"], "annual_margin_eur": [100.0, 200.0]})


def _initiative(cost: float = 5.0, start: pd.Timestamp = FEB) -> Initiative:
    return Initiative("I1", "Fix t", "touchpoint", "t", "hard", cost, start)


def test_initiative_return_by_hand() -> None:
    result = initiative_return(_events(), CUSTOMERS, _initiative(), FEB, SETTINGS)
    # Treated: 50 -> 70 (+20); control c: 60 -> 61 (+1); effect 19 points.
    assert result["effect_points"] == pytest.approx(19.0)
    # Mean score at t: A 55, B 65; margins 100, 200: 10 EUR per point per customer-year.
    assert result["value_per_point_eur"] == pytest.approx(10.0)
    assert result["customer_months_touched"] == 2
    value = 19.0 * 10.0 * 2 / 12
    assert result["attributable_value_eur"] == pytest.approx(value)
    assert result["months_live"] == 1 and result["investment_to_date_eur"] == 5.0
    assert result["rox"] == pytest.approx((value - 5.0) / 5.0)


def test_zero_investment_gives_no_rox_but_keeps_the_value() -> None:
    result = initiative_return(_events(), CUSTOMERS, _initiative(cost=0.0), FEB, SETTINGS)
    assert result["investment_to_date_eur"] == 0.0
    assert np.isnan(result["rox"]) and np.isnan(result["rox_ci_low"])
    assert result["attributable_value_eur"] == pytest.approx(19.0 * 10.0 * 2 / 12)
    assert np.isnan(rox_ratio(100.0, 0.0))


def test_an_initiative_not_started_yet_is_not_measured() -> None:
    later = pd.Timestamp("2026-06-01")
    result = initiative_return(_events(), CUSTOMERS, _initiative(start=later), FEB, SETTINGS)
    assert result["months_live"] == 0 and result["investment_to_date_eur"] == 0
    assert np.isnan(result["attributable_value_eur"]) and np.isnan(result["rox"])


def test_other_initiatives_scopes_are_not_controls() -> None:
    events = _events()
    # A third touchpoint that another initiative improved by 30 points.
    extra = events[events["touchpoint_id"] == "c"].assign(touchpoint_id="u")
    extra.loc[extra["month_start"] == FEB, "score_0_100"] += 30
    events = pd.concat([events, extra], ignore_index=True)
    clean = initiative_return(
        events, CUSTOMERS, _initiative(), FEB, SETTINGS, other_treated=frozenset({"t", "u"})
    )
    assert clean["effect_points"] == pytest.approx(19.0)
    mixed = initiative_return(events, CUSTOMERS, _initiative(), FEB, SETTINGS)
    assert mixed["effect_points"] < 19.0 - 10


def test_movement_between_bands_by_hand() -> None:
    monthly = pd.DataFrame(
        {
            "customer_key": ["A", "B", "A", "B"],
            "month_start": [JAN, JAN, FEB, FEB],
            "mean_score": [40.0, 80.0, 60.0, 80.0],  # A: pain -> neutral; B: love
        }
    )
    values = {"pain": 100.0, "neutral": 200.0, "love": 400.0}
    active = pd.Series({JAN: 12.0, FEB: 12.0})
    moved = movement_value(monthly, values, active, SETTINGS).set_index("month_start")
    assert moved.loc[FEB, "share_pain"] == 0.0 and moved.loc[FEB, "share_neutral"] == 0.5
    # 12 active x (-0.5 x 100 + 0.5 x 200) / 12 months
    assert moved.loc[FEB, "movement_value_eur"] == pytest.approx(50.0)
    assert np.isnan(moved.loc[JAN, "movement_value_eur"])  # no month before it


def test_cx_index_weights_and_missing_components() -> None:
    components = pd.DataFrame({"nps": [20.0, 20.0, np.nan], "csat": [80.0, np.nan, np.nan]})
    index = cx_index(components, {"nps": 0.5, "csat": 0.5})
    assert index[0] == pytest.approx(70.0)  # (60 + 80) / 2
    assert index[1] == pytest.approx(60.0)  # NPS alone
    assert np.isnan(index[2])


def test_rox_score_without_employee_data_reports_ex_as_not_measured() -> None:
    events = _events().assign(job_id="j", segment="s", value_stream_id="v")
    customers = pd.DataFrame(
        {
            "customer_key": ["A", "B"],
            "historic_margin_eur": [100.0, 200.0],
            "tenure_weeks": [52.0, 52.0],
            "clv_horizon_eur": [300.0, 600.0],
        }
    )
    active = pd.DataFrame(
        {
            "month_start": [JAN, FEB],
            "job_id": "j",
            "segment": "s",
            "value_stream_id": "v",
            "active_customers": [2, 2],
        }
    )
    metric_values = pd.DataFrame(
        {
            "metric": ["nps", "nps", "csat"],
            "period_grain": "month",
            "period_start": [JAN.date(), FEB.date(), FEB.date()],
            "scope_type": "company",
            "scope_id": "all",
            "value": [0.0, 20.0, 80.0],
            "n": 10,
        }
    )
    score = rox_score(
        events, customers, active, metric_values, [_initiative()], {}, {}, SETTINGS
    ).set_index("month_start")
    feb = score.loc[FEB.date()]
    assert feb["cx_index"] == pytest.approx(70.0)
    assert score["ex_index"].isna().all()
    assert feb["investment_eur"] == 5.0 and score.loc[JAN.date(), "investment_eur"] == 0.0
    assert np.isnan(score.loc[JAN.date(), "rox"])  # no investment yet: no ratio
