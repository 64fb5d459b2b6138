"""ROX: hand-computed effect, value and ROX on tiny fixtures; zero investment; missing EX data;
compact rows (customer x month x touchpoint sums and counts) give exactly the estimates and
bootstrap intervals of one row per signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.rox import (
    Initiative,
    RoxSettings,
    cx_index,
    movement_value,
    rox_ratio,
)
from analytics.rox_initiatives import initiative_return
from analytics.rox_marts import rox_score

SETTINGS = RoxSettings(
    cx_weights={"nps": 0.5, "csat": 0.5}, baseline_months=1, bootstrap_samples=50
)
JAN, FEB = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")


def _signals() -> pd.DataFrame:
    rows = [
        # customer, month, touchpoint, score
        (1, JAN, "t", 40.0), (1, FEB, "t", 70.0), (1, JAN, "c", 60.0), (1, FEB, "c", 60.0),
        (2, JAN, "t", 60.0), (2, FEB, "t", 70.0), (2, JAN, "c", 60.0), (2, FEB, "c", 62.0),
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=["customer_id", "month_start", "touchpoint_id", "score_0_100"]
    )


def _compact(signals: pd.DataFrame) -> pd.DataFrame:
    """As int_customer_touchpoint_scores: one row per customer x month x scope columns."""
    keys = [c for c in signals.columns if c != "score_0_100"]
    grouped = signals.groupby(keys, sort=True)["score_0_100"]
    return pd.concat(
        [grouped.size().rename("scores"), grouped.sum().rename("score_sum_0_100")], axis=1
    ).reset_index()


def _events() -> pd.DataFrame:
    return _compact(_signals())


CUSTOMERS = pd.DataFrame({"customer_id": [1, 2], "annual_margin_eur": [100.0, 200.0]})


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
    signals = _signals()
    # A third touchpoint that another initiative improved by 30 points.
    extra = signals[signals["touchpoint_id"] == "c"].assign(touchpoint_id="u")
    extra.loc[extra["month_start"] == FEB, "score_0_100"] += 30
    events = _compact(pd.concat([signals, extra], ignore_index=True))
    clean = initiative_return(
        events, CUSTOMERS, _initiative(), FEB, SETTINGS, other_treated=frozenset({"t", "u"})
    )
    assert clean["effect_points"] == pytest.approx(19.0)
    mixed = initiative_return(events, CUSTOMERS, _initiative(), FEB, SETTINGS)
    assert mixed["effect_points"] < 19.0 - 10


def test_movement_between_bands_by_hand() -> None:
    monthly = pd.DataFrame(
        {
            "customer_id": [1, 2, 1, 2],
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
            "customer_id": [1, 2],
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
    assert np.isnan(score.loc[JAN.date(), "monthly_rox"])  # no investment yet: no ratio
    # The company's month compares everything with everything: never a monthly ROX.
    assert score["monthly_rox"].isna().all() and "rox" not in score.columns


def _many_signals(seed: int = 3) -> pd.DataFrame:
    """Several signals per customer, month and touchpoint, so compacting changes the rows."""
    rng = np.random.default_rng(seed)
    n = 4000
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    frame = pd.DataFrame(
        {
            "customer_id": rng.integers(1, 60, n),
            "month_start": months[rng.integers(0, 6, n)],
            "touchpoint_id": np.array(["t", "c", "d"])[rng.integers(0, 3, n)],
            "score_0_100": rng.integers(0, 5, n) * 25.0,
        }
    )
    frame["job_id"] = np.where(frame["customer_id"] % 2 == 0, "j1", "j2")
    frame["segment"], frame["value_stream_id"] = "s", "v"
    return frame.sort_values(["customer_id", "month_start", "touchpoint_id"], kind="stable")


def test_compact_rows_give_the_estimates_and_intervals_of_one_row_per_signal() -> None:
    signals = _many_signals()
    per_signal = signals.assign(scores=1).rename(columns={"score_0_100": "score_sum_0_100"})
    compact = _compact(signals)
    assert len(compact) < len(per_signal) / 2
    customers = pd.DataFrame(
        {"customer_id": np.arange(1, 60), "annual_margin_eur": np.arange(1, 60) * 3.0}
    )
    settings = RoxSettings(cx_weights={"nps": 1.0}, baseline_months=3, bootstrap_samples=80)
    start = pd.Timestamp("2025-04-01")
    for scope_type, scope_id in [("touchpoint", "t"), ("job", "j1")]:
        initiative = Initiative("I", "x", scope_type, scope_id, "hard", 10.0, start)
        as_of = pd.Timestamp("2025-06-01")
        a = initiative_return(per_signal, customers, initiative, as_of, settings)
        b = initiative_return(compact, customers, initiative, as_of, settings)
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], str):
                assert b[key] == a[key], (scope_type, key)
                continue
            assert b[key] == pytest.approx(a[key], rel=1e-12, nan_ok=True), (scope_type, key)
        assert np.isfinite(a["effect_ci_low"]) and a["effect_ci_low"] < a["effect_ci_high"]


def test_rox_score_from_compact_rows_equals_one_row_per_signal() -> None:
    signals = _many_signals(5)
    per_signal = signals.assign(scores=1).rename(columns={"score_0_100": "score_sum_0_100"})
    compact = _compact(signals)
    months = sorted(signals["month_start"].unique())
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, 60),
            "historic_margin_eur": np.arange(1, 60) * 10.0,
            "tenure_weeks": 104.0,
            "clv_horizon_eur": np.arange(1, 60) * 30.0,
        }
    )
    active = pd.DataFrame(
        {"month_start": months, "job_id": "j1", "segment": "s", "value_stream_id": "v"}
    ).assign(active_customers=40)
    metric_values = pd.DataFrame(
        {"metric": "nps", "period_grain": "month", "period_start": [m.date() for m in months]}
    ).assign(scope_type="company", scope_id="all", value=10.0, n=5)
    known = {"job": {"j1", "j2"}, "touchpoint": {"t", "c", "d"}}
    settings = RoxSettings(cx_weights={"nps": 1.0}, bootstrap_samples=60)
    initiative = Initiative("I", "x", "touchpoint", "t", "hard", 10.0, months[0])
    args = (customers, active, metric_values, [initiative], known, {}, settings)
    a, b = rox_score(per_signal, *args), rox_score(compact, *args)
    assert len(a) == 6 * (1 + 2 + 3)
    # The intervals come from the bootstrap over customers: equal, not just the point values.
    low, high = a["monthly_rox_ci_low"], a["monthly_rox_ci_high"]
    assert low.notna().sum() >= 5 and (low < high).any()
    # Monthly ROX only in the scope of the live initiative (touchpoint t).
    assert set(a.loc[a["monthly_rox"].notna(), "scope_id"]) == {"t"}
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_rox_score_cuts_by_territory_business_unit_and_channel_like_any_customer_scope() -> None:
    # Odd customers do job j2 in Austria through the app, even ones job j1 in Germany on the
    # web: the territory and channel rows must equal the job rows of the same customers.
    signals = _many_signals(7)
    odd = signals["customer_id"] % 2 == 1
    signals["territory"] = np.where(odd, "Austria", "Germany")
    signals["business_unit"] = "Nordhaus"
    signals["primary_channel"] = np.where(odd, "app", "web")
    compact = _compact(signals)
    months = sorted(signals["month_start"].unique())
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, 60),
            "historic_margin_eur": np.arange(1, 60) * 10.0,
            "tenure_weeks": 104.0,
            "clv_horizon_eur": np.arange(1, 60) * 30.0,
        }
    )
    cells = [("j2", "Austria", "app", 30), ("j1", "Germany", "web", 25)]
    active = pd.DataFrame(
        [
            {
                "month_start": m,
                "job_id": job,
                "segment": "s",
                "value_stream_id": "v",
                "territory": territory,
                "business_unit": "Nordhaus",
                "primary_channel": channel,
                "active_customers": n,
            }
            for m in months
            for job, territory, channel, n in cells
        ]
    )
    metric_values = pd.DataFrame(
        {"metric": "nps", "period_grain": "month", "period_start": [m.date() for m in months]}
    ).assign(scope_type="territory", scope_id="Austria", value=10.0, n=40)
    known = {
        "job": {"j1", "j2"},
        "territory": {"Austria", "Germany"},
        "business_unit": {"Nordhaus"},
        "channel": {"app", "web"},
    }
    settings = RoxSettings(cx_weights={"nps": 1.0}, bootstrap_samples=60)
    score = rox_score(compact, customers, active, metric_values, [], known, {}, settings)
    rows = score.set_index(["scope_type", "scope_id", "month_start"]).sort_index()
    same = ["respondents", "share_pain", "share_love", "movement_value_eur", "active_customers"]
    for job, territory, channel, n in cells:
        by_job = rows.loc[("job", job), same]
        pd.testing.assert_frame_equal(rows.loc[("territory", territory), same], by_job)
        pd.testing.assert_frame_equal(rows.loc[("channel", channel), same], by_job)
        assert (rows.loc[("territory", territory), "active_customers"] == n).all()
    # One brand holds every customer: its rows are the company's.
    pd.testing.assert_frame_equal(
        rows.loc[("business_unit", "Nordhaus"), same], rows.loc[("company", "all"), same]
    )
    # The territory's own NPS feeds its CX index; Germany has none published.
    assert list(rows.loc[("territory", "Austria"), "cx_index"]) == [pytest.approx(55.0)] * 6
    assert rows.loc[("territory", "Germany"), "cx_index"].isna().all()
