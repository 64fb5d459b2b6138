"""The metric catalogue: the shipped file, refused entries (names and sources must be identifiers)
and the rows dbt aggregates metric values by (one per metric, grain and scope it allows)."""

from __future__ import annotations

import pytest

from analytics.metric_catalogue import (
    CATALOGUE_ROW_COLUMNS,
    MetricCatalogueError,
    catalogue_rows,
    load_metric_catalogue,
    parse_metric_catalogue,
)
from common.settings import REPO_ROOT
from common.strict_yaml import read_config_yaml
from tests.analytics.conftest import metric_spec
from tests.helpers import INJECTIONS


def test_metric_names_and_sources_are_refused() -> None:
    shipped = read_config_yaml(REPO_ROOT / "config" / "metrics.yml", MetricCatalogueError)
    name, spec = next(iter(shipped["metrics"].items()))
    for injection in INJECTIONS:
        with pytest.raises(MetricCatalogueError, match="lower_snake_case"):
            parse_metric_catalogue({"version": 1, "metrics": {injection: spec}})
        with pytest.raises(MetricCatalogueError, match="source"):
            parse_metric_catalogue({"version": 1, "metrics": {name: {**spec, "source": injection}}})


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
def test_a_bad_catalogue_entry_is_refused_naming_file_andmetric_spec(overrides, message) -> None:
    with pytest.raises(MetricCatalogueError, match="^metrics.yml: ") as err:
        parse_metric_catalogue({"version": 1, "metrics": {"m": metric_spec(**overrides)}})
    assert message in str(err.value)


def test_catalogue_rows_list_every_grain_and_scope_a_metric_allows(catalogue) -> None:
    rows = catalogue_rows(catalogue)
    assert list(rows.columns) == CATALOGUE_ROW_COLUMNS
    allowed = {tuple(r) for r in rows[["metric", "period_grain", "scope_type"]].to_numpy()}
    assert allowed == {
        ("on_time", "day", "company"),
        ("on_time", "day", "touchpoint"),
        ("on_time", "month", "company"),
        ("on_time", "month", "touchpoint"),
        ("reply_hours", "day", "company"),
        ("reply_hours", "day", "touchpoint"),
        ("reply_hours", "month", "company"),
        ("reply_hours", "month", "touchpoint"),
        ("spend", "month", "company"),
    }
    assert len(rows) == len(allowed)
    aggregation = dict(zip(rows["metric"], rows["aggregation"], strict=True))
    assert aggregation == {"on_time": "ratio", "reply_hours": "ratio", "spend": "sum"}
    assert set(rows.loc[rows["metric"] == "reply_hours", "direction"]) == {"lower_is_better"}
