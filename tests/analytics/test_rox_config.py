"""The investment ledger: scope ids are validated against the warehouse, names stay text."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.rox_config import RoxConfigError, load_rox_settings, parse_ledger, parse_rox_settings
from common.settings import DBT_PROJECT_DIR, REPO_ROOT
from demo import company
from tests.helpers import INJECTIONS


def test_the_shipped_settings_load() -> None:
    settings, version = load_rox_settings(REPO_ROOT / "config" / "rox.yml")
    assert version == "rox-1"
    assert set(settings.cx_weights) == {"nps", "csat", "ces", "review_rating", "sentiment"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cx_index": {"weights": {"happiness": 1}}}, "'happiness' is not one of"),
        ({"bands": {"pain_below": 50, "love_from": 75}}, "heat_pain_below and heat_love_from"),
        ({"bootstrap": {"samples": 5}}, "bootstrap.samples must be an integer"),
        ({"formula_version": "rox-0"}, "this code computes 'rox-1'"),
        ({"extra": 1}, "unknown key(s) extra"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(change, message) -> None:
    data = {"version": 1, "cx_index": {"weights": {"nps": 1}}, **change}
    with pytest.raises(RoxConfigError, match="^rox.yml: ") as err:
        parse_rox_settings(data)
    assert message in str(err.value)


LEDGER = pd.DataFrame(
    [
        {
            "initiative_id": "I1",
            "initiative_name": "Fix delivery",
            "scope_type": "touchpoint",
            "scope_id": "delivery",
            "investment_kind": "hard",
            "investment_category": "technology",
            "cost_per_month_eur": 1000,
            "start_month": "2026-01-01",
        }
    ]
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scope_id", "teleport", "line 2 (I1): scope_id: unknown touchpoint 'teleport'"),
        ("scope_type", "planet", "line 2 (I1): scope_type 'planet' is not one of"),
        ("investment_kind", "medium", "line 2 (I1): investment_kind 'medium'"),
        ("cost_per_month_eur", -5, "line 2 (I1): cost_per_month_eur -5"),
        ("start_month", "2026-01-15", "line 2 (I1): start_month '2026-01-15'"),
    ],
)
def test_a_bad_ledger_row_is_refused_naming_line_and_field(field, value, message) -> None:
    ledger = LEDGER.assign(**{field: value})
    with pytest.raises(RoxConfigError, match="^initiatives.csv: ") as err:
        parse_ledger(ledger, {"touchpoint": {"delivery"}})
    assert message in str(err.value)


def test_the_ledger_seed_matches_the_demo_company() -> None:
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "initiatives.csv")
    initiatives = parse_ledger(seed, {"touchpoint": set(company.TOUCHPOINTS)})
    by_id = {i.initiative_id: i for i in initiatives}
    for planted in company.INITIATIVES:
        ledger = by_id[planted["initiative_id"]]
        assert (ledger.scope_type, ledger.scope_id) == ("touchpoint", planted["touchpoint"])
        assert ledger.cost_per_month_eur == planted["cost_per_month_eur"]
        assert ledger.investment_kind == planted["investment_kind"]
        assert ledger.start_month == pd.Timestamp(planted["start_month"] + "-01")


@pytest.mark.parametrize("injection", INJECTIONS)
def test_ledger_scope_ids_are_refused_and_names_stay_text(injection) -> None:
    row = {
        "initiative_id": "INI-01",
        "initiative_name": "Faster delivery",
        "scope_type": "touchpoint",
        "scope_id": "delivery",
        "investment_kind": "hard",
        "investment_category": "logistics",
        "cost_per_month_eur": 100,
        "start_month": "2026-01-01",
    }
    known = {"touchpoint": {"delivery"}}
    with pytest.raises(RoxConfigError, match=r"line 2 .*scope_id: unknown touchpoint"):
        parse_ledger(pd.DataFrame([{**row, "scope_id": injection}]), known)
    with pytest.raises(RoxConfigError, match="scope_type"):
        parse_ledger(pd.DataFrame([{**row, "scope_type": injection}]), known)
    (initiative,) = parse_ledger(
        pd.DataFrame([{**row, "initiative_id": injection, "initiative_name": injection}]), known
    )
    assert (initiative.initiative_id, initiative.name) == (injection, injection)
