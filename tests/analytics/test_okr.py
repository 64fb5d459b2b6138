"""The metric catalogue and OKR scoring: validation errors, hand-computed progress, roll-ups."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.metric_catalogue import (
    load_metric_catalogue,
)
from analytics.okr import (
    OkrConfigError,
    company_progress,
    key_result_progress,
    objective_progress,
    parse_okrs,
    value_stream_progress,
)
from common.settings import REPO_ROOT
from tests.helpers import INJECTIONS

KNOWN = {
    "value_stream": {"vs_a", "vs_b"},
    "job": {"job_a"},
    "touchpoint": {"delivery", "support"},
    "segment": {"consumer"},
    "team": {"care"},
}


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


def test_a_key_result_past_its_end_date_keeps_its_final_result(catalogue) -> None:
    kr = _kr(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 15))
    values = _values("on_time", ("touchpoint", "delivery"), {"2026-03": 85, "2026-04": 95})
    progress, _ = _progress(catalogue, [kr], values, as_of=dt.date(2026, 5, 31))
    assert list(progress["period_start"]) == [dt.date(2026, m, 1) for m in range(1, 6)]
    measured = progress[~progress["has_ended"]]
    assert len(measured) == 3
    final = measured.iloc[-1]
    assert bool(final["is_final_period"])
    assert final["expected_progress"] == 1.0
    assert final["progress"] == pytest.approx(0.5)
    assert final["status"] == "off track"  # 0.5 < 1.0 - 0.25
    # April's 95 came after the end: the carried months repeat March's result, not April's.
    after = progress[progress["has_ended"]]
    assert list(after["actual"]) == [85.0, 85.0] and set(after["status"]) == {"off track"}
    assert not after["is_final_period"].any()


def test_status_and_grade_band_follow_one_rule(catalogue) -> None:
    """KR-SUPPORT-1/2 on the demo: 'on track' with a grade of 0.0 shown red. Now the band is
    the status's colour: early on, nothing is due yet, so 0.0 is on track and green; at the
    end 0.5 is off track and red, not yellow."""
    kr = _kr(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    values = _values("on_time", ("touchpoint", "delivery"), {"2026-01": 80, "2026-12": 85})
    progress, _ = _progress(catalogue, [kr], values, as_of=dt.date(2026, 12, 31))
    by_month = progress.set_index("period_start")
    january, december = by_month.loc[dt.date(2026, 1, 1)], by_month.loc[dt.date(2026, 12, 1)]
    assert (january["grade"], january["status"], january["grade_band"]) == (
        0.0, "on track", "green"
    )  # fmt: skip
    assert (december["grade"], december["status"], december["grade_band"]) == (
        0.5, "off track", "red"
    )  # fmt: skip
    bands = {"on track": "green", "at risk": "yellow", "off track": "red"}
    scored = progress[progress["progress"].notna()]
    assert list(scored["grade_band"]) == [bands[s] for s in scored["status"]]


def test_an_objective_does_not_turn_green_when_its_off_track_key_result_ends(catalogue) -> None:
    krs = [
        _kr(id="KR1", start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28)),
        _kr(id="KR2", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)),
    ]
    values = _values("on_time", ("touchpoint", "delivery"), {"2026-02": 81, "2026-04": 90})
    progress, objectives = _progress(catalogue, krs, values, as_of=dt.date(2026, 4, 30))
    april = objective_progress(progress, objectives).set_index("period_start")
    april = april.loc[dt.date(2026, 4, 1)]
    # KR1 ended off track at 0.1 of 1.0; KR2 is done (1.0) in April: the mean, 0.55, is due
    # (1 + 1/3 of the year) / 2 = 0.67 -> at risk, not green.
    assert april["key_results"] == 2
    assert april["score"] == pytest.approx((0.1 + 1.0) / 2)
    assert april["status"] == "at risk" and april["grade_band"] == "yellow"


def test_company_progress_is_the_mean_of_the_objectives(catalogue) -> None:
    frame = pd.DataFrame(
        {
            "objective_id": ["O1", "O2", "O3", "O1", "O2", "O3"],
            "period_start": [dt.date(2026, 1, 1)] * 3 + [dt.date(2026, 2, 1)] * 3,
            "score": [0.2, 0.6, None, 0.9, 0.9, 0.3],
            "expected_progress": [0.1, 0.1, None, 0.9, 0.9, 0.9],
        }
    )
    company = company_progress(frame).set_index("period_start")
    january, february = company.loc[dt.date(2026, 1, 1)], company.loc[dt.date(2026, 2, 1)]
    assert january["score"] == pytest.approx(0.4) and january["objectives_without_data"] == 1
    assert (january["status"], january["grade_band"]) == ("on track", "green")
    assert february["score"] == pytest.approx(0.7) and february["objectives"] == 3
    # 0.7 is below 0.9 - 0.10 but not below 0.9 - 0.25.
    assert (february["status"], february["grade_band"]) == ("at risk", "yellow")


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


def _one_key_result_okrs(**key_result) -> dict:
    objective = {
        "id": "O1",
        "statement": "Delight",
        "value_stream": "vs",
        "owner": "cx",
    }
    result = {
        "id": "KR1",
        "objective": "O1",
        "metric": "nps",
        "scope": "company",
        "baseline": 10,
        "target": 20,
        "start": "2026-01-01",
        "end": "2026-06-30",
        **key_result,
    }
    return {"version": 1, "objectives": [objective], "key_results": [result]}


@pytest.mark.parametrize("injection", INJECTIONS)
def test_okr_ids_and_scope_ids_are_refused(injection) -> None:
    catalogue = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    metric = next(m for m in catalogue.values() if "touchpoint" in m.scopes)
    known = {"value_stream": {"vs"}, "touchpoint": {"delivery"}, "job": set()}
    okrs = _one_key_result_okrs(metric=metric.name, target=20 if metric.higher_is_better else 0)
    parse_okrs(okrs, catalogue, known)  # the template is valid
    bad_scope = _one_key_result_okrs(metric=metric.name, scope=f"touchpoint:{injection}")
    bad_scope["key_results"][0]["target"] = okrs["key_results"][0]["target"]
    with pytest.raises(OkrConfigError, match="unknown touchpoint"):
        parse_okrs(bad_scope, catalogue, known)
    bad_id = _one_key_result_okrs(metric=metric.name, id=injection)
    bad_id["key_results"][0]["target"] = okrs["key_results"][0]["target"]
    with pytest.raises(OkrConfigError, match="not a valid id"):
        parse_okrs(bad_id, catalogue, known)


def test_a_key_result_can_target_a_territory_or_a_channel() -> None:
    """The shipped catalogue cuts customer metrics by territory, business unit and channel."""
    shipped = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    known = {
        **KNOWN,
        "territory": {"Austria"},
        "business_unit": {"Hearth Pro"},
        "channel": {"web"},
    }
    krs = [
        _kr(id="KR1", metric="on_time_delivery", scope="territory:Austria"),
        _kr(id="KR2", metric="csat", scope="channel:web"),
        _kr(id="KR3", metric="nps", scope="business_unit:Hearth Pro", baseline=10, target=20),
    ]
    _, parsed = parse_okrs(_okrs(*krs), shipped, known)
    assert [(k.scope_type, k.scope_id) for k in parsed] == [
        ("territory", "Austria"),
        ("channel", "web"),
        ("business_unit", "Hearth Pro"),
    ]
    with pytest.raises(OkrConfigError, match="unknown territory 'Atlantis'"):
        bad = _kr(metric="on_time_delivery", scope="territory:Atlantis")
        parse_okrs(_okrs(bad), shipped, known)


def test_a_key_result_can_target_the_cx_index_of_rox_score() -> None:
    from analytics.okr import with_published_scores

    shipped = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    assert shipped["cx_index"].source == "marts.rox_score"
    values = _values("nps", ("company", "all"), {"2026-01": 10})
    values["is_suppressed"] = False
    rox_score = pd.DataFrame(
        {
            "month_start": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
            "scope_type": ["company", "company"],
            "scope_id": ["all", "all"],
            "cx_index": [62.0, None],
            "respondents": [140, 3],
        }
    )
    both = with_published_scores(values, rox_score)
    kr = _kr(metric="cx_index", scope="company", baseline=60, target=70)
    objectives, krs = parse_okrs(_okrs(kr), shipped, KNOWN)
    progress = key_result_progress(krs, objectives, shipped, both, dt.date(2026, 2, 28))
    by_month = progress.set_index("period_start")
    assert by_month.loc[dt.date(2026, 1, 1), "progress"] == pytest.approx(0.2)
    assert by_month.loc[dt.date(2026, 1, 1), "n"] == 140
    assert by_month.loc[dt.date(2026, 2, 1), "status"] == "no data"
