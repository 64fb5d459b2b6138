"""The business settings: one definition (dbt_project.yml vars) read by dbt and Python alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from analytics.clv_marts import ClvSettings
from analytics.rox_config import load_rox_settings
from common.business_settings import (
    DBT_PROJECT_FILE,
    BusinessSettingsError,
    load_business_settings,
)
from common.settings import DBT_PROJECT_DIR, REPO_ROOT


def test_every_setting_is_a_dbt_var_and_every_var_a_setting() -> None:
    shipped = yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"]
    settings = load_business_settings()
    assert settings.as_dbt_vars() == shipped
    used = set()
    for sql in (DBT_PROJECT_DIR / "models").rglob("*.sql"):
        used |= set(re.findall(r"var\('([a-z_0-9]+)'", sql.read_text()))
    # Every var a model reads is a business setting, except the run's date window.
    assert used - {"min_date", "max_date"} <= set(shipped)


def test_rox_and_the_heatmap_read_the_same_bands(tmp_path: Path) -> None:
    rox, _ = load_rox_settings(REPO_ROOT / "config" / "rox.yml")
    business = load_business_settings()
    assert (rox.pain_below, rox.love_from) == (business.heat_pain_below, business.heat_love_from)
    moved = load_business_settings(overrides={"heat_pain_below": 40, "heat_love_from": 80})
    rox, _ = load_rox_settings(REPO_ROOT / "config" / "rox.yml", moved)
    assert (rox.pain_below, rox.love_from) == (40.0, 80.0)


def test_clv_settings_default_to_the_business_settings() -> None:
    business = load_business_settings()
    settings = ClvSettings.from_business(business, horizon_months=12)
    assert settings.horizon_months == 12
    assert settings.margin_rate == business.clv_margin_rate
    assert settings.time_unit_days == business.clv_time_unit_days


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"heat_pain_below": 80}, "heat_pain_below < heat_love_from"),
        ({"clv_margin_rate": 1.5}, "clv_margin_rate must be in (0, 1]"),
        ({"active_window_days": 1.5}, "active_window_days must be a whole number"),
        ({"cost_per_ticket_eur": "six"}, "cost_per_ticket_eur must be a number"),
        ({"value_per_point_horizon_months": 13}, "value_per_point_horizon_months must be 1-12"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_file_and_key(change, message) -> None:
    with pytest.raises(BusinessSettingsError, match=r"^dbt_project.yml: vars: ") as err:
        load_business_settings(overrides=change)
    assert message in str(err.value)


def test_a_missing_setting_is_named(tmp_path: Path) -> None:
    document = yaml.safe_load(DBT_PROJECT_FILE.read_text())
    del document["vars"]["moments_that_matter"]
    path = tmp_path / "dbt_project.yml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(BusinessSettingsError, match="vars: moments_that_matter is missing"):
        load_business_settings(path)
