from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import driver_marts as dm
from analytics.opportunities import CELL_COLUMNS, COLUMNS, opportunity_map, scope_cells
from tests.analytics.signals import compact_scores, experience_signals

IMPORTANCE = pd.DataFrame(
    {
        "outcome": ["likelihood_to_recommend", "likelihood_to_recommend", "retention"],
        "driver": ["delivery", "support", "delivery"],
        "importance_pct": [60.0, 40.0, 99.0],
    }
)


def _cells(scope_ids, touchpoints, performance, clv, scores=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope_id": scope_ids,
            "touchpoint_id": touchpoints,
            "customers": [10] * len(scope_ids),
            "clv_at_stake_eur": clv,
            "driver_scores": scores or [50] * len(scope_ids),
            "performance_0_100": performance,
        }
    )[CELL_COLUMNS]


def test_opportunity_score_is_importance_times_gap_times_value_ranked_within_scope_type() -> None:
    cells = {
        "job": _cells(
            ["j1", "j1", "j2"],
            ["delivery", "support", "website"],
            [90.0, 40.0, 70.0],
            [10000.0, 5000.0, 999.0],
        ),
        "territory": _cells(
            ["Austria", "Germany"], ["delivery", "delivery"], [50.0, 80.0], [2000.0, 9000.0]
        ),
    }
    out = opportunity_map(IMPORTANCE, cells)
    assert list(out.columns) == COLUMNS
    assert list(out["scope_type"].unique()) == ["job", "territory"]
    jobs = out[out["scope_type"] == "job"].set_index("touchpoint_id")
    assert jobs.loc["delivery", "opportunity_score"] == pytest.approx(0.6 * 0.1 * 10000)
    assert jobs.loc["support", "opportunity_score"] == pytest.approx(0.4 * 0.6 * 5000)
    assert list(jobs.loc[["support", "delivery", "website"], "rank"]) == [1, 2, 3]
    # No importance for the website: no score, ranked last, said in words.
    assert pd.isna(jobs.loc["website", "opportunity_score"])
    assert "Not enough data" in jobs.loc["website", "lever"]
    assert "support" in jobs.loc["support", "lever"] and "'j1'" in jobs.loc["support", "lever"]
    assert list(jobs["job"]) == list(jobs["scope_id"])
    territories = out[out["scope_type"] == "territory"].set_index("scope_id")
    assert territories.loc["Austria", "opportunity_score"] == pytest.approx(0.6 * 0.5 * 2000)
    assert territories.loc["Germany", "opportunity_score"] == pytest.approx(0.6 * 0.2 * 9000)
    # Ranks restart for each scope type.
    assert (territories.loc["Germany", "rank"], territories.loc["Austria", "rank"]) == (1, 2)
    assert set(territories["job"]) == {"all"}
    assert "customers in Austria" in territories.loc["Austria", "lever"]
    assert set(out["importance_source"]) == {"company"}
    assert not out["is_suppressed"].any()


def test_a_scope_with_its_own_weights_uses_them_and_a_thin_cell_is_suppressed() -> None:
    cells = {
        "job": _cells(
            ["j1", "j1", "j2"],
            ["delivery", "support", "support"],
            [90.0, 40.0, 70.0],
            [10000.0, 5000.0, 3000.0],
            scores=[50, 50, 9],
        )
    }
    own = {
        "job": pd.DataFrame(
            {
                "scope_id": ["j1", "j1"],
                "driver": ["delivery", "support"],
                "importance_pct": [20.0, 80.0],
            }
        )
    }
    out = opportunity_map(IMPORTANCE, cells, own, min_scores=10).set_index(
        ["scope_id", "touchpoint_id"]
    )
    assert out.loc[("j1", "support"), "opportunity_score"] == pytest.approx(0.8 * 0.6 * 5000)
    assert out.loc[("j1", "delivery"), "importance_source"] == "job"
    thin = out.loc[("j2", "support")]
    assert thin["importance_source"] == "company" and thin["importance_pct"] == 40.0
    # Nine scores are below the floor of ten: the cell keeps its n and loses its numbers.
    assert thin["is_suppressed"] and thin["driver_scores"] == 9
    assert pd.isna(thin["performance_0_100"]) and pd.isna(thin["opportunity_score"])
    assert thin["rank"] == 3 and "Too few scores" in thin["lever"]


def test_scope_cells_count_customers_passing_and_their_clv() -> None:
    signals = experience_signals(9)
    compact = compact_scores(signals)
    ids = np.arange(1, 80)
    # Customers 70-79 have no territory; the job 'unknown' takes the unlinked signals.
    job = pd.Series(np.where(ids % 3 == 0, "furnish", "move"), index=ids)
    territory = pd.Series(np.where(ids % 2 == 0, "Austria", "Germany"), index=ids)[ids < 70]
    clv = pd.Series(ids * 10.0, index=ids).iloc[5:]  # 1-5 have none
    for scope_of, unlinked in ((job, "unknown"), (territory, None)):
        cells = scope_cells(compact, scope_of, clv, unlinked=unlinked)
        cells = cells.set_index(["scope_id", "touchpoint_id"])
        at = signals.dropna(subset=["touchpoint_id"]).assign(
            scope=lambda f, s=scope_of: f["customer_id"].map(s).astype(object)
        )
        if unlinked is not None:
            at["scope"] = at["scope"].fillna(unlinked)
        at = at.dropna(subset=["scope"])
        passed = at.dropna(subset=["customer_id"]).drop_duplicates(
            ["scope", "touchpoint_id", "customer_id"]
        )
        for (scope_id, touchpoint), group in passed.groupby(["scope", "touchpoint_id"]):
            cell = cells.loc[(scope_id, touchpoint)]
            assert cell["customers"] == len(group)
            members = group["customer_id"].astype(int)
            assert cell["clv_at_stake_eur"] == pytest.approx(clv.reindex(members).fillna(0).sum())
            here = at[(at["scope"] == scope_id) & (at["touchpoint_id"] == touchpoint)]
            scored = here[~here["is_nps"]]["score_0_100"].dropna()
            assert cell["driver_scores"] == len(scored)
            assert cell["performance_0_100"] == pytest.approx(scored.mean())
        assert len(cells) == passed.groupby(["scope", "touchpoint_id"]).ngroups
    assert "unknown" not in set(scope_cells(compact, territory, clv)["scope_id"])


def test_action_priorities_count_each_customer_once_the_job_rows() -> None:
    cells = {
        "job": _cells(["j1", "j2"], ["support", "support"], [50.0, 50.0], [1000.0, 1000.0]),
        "territory": _cells(["Austria"], ["support"], [50.0], [2000.0]),
    }
    opportunities = opportunity_map(IMPORTANCE, cells)
    actions = pd.DataFrame(
        {
            "action_id": ["A"],
            "action": ["fix support"],
            "touchpoint_id": ["support"],
            "area": ["x"],
            "estimated_cost_eur": [10.0],
            "duration_months": [0],
            "complexity_1_5": [1],
        }
    )
    out = dm.action_priorities(actions, opportunities)
    assert out.loc[0, "revenue_and_retention_eur"] == pytest.approx(2 * 0.4 * 0.5 * 1000)
