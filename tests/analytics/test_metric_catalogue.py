"""The metric catalogue: the shipped file, refused entries (names and sources must be identifiers
before any SQL) and metric values by grain and scope."""

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
from common.settings import REPO_ROOT
from common.strict_yaml import read_config_yaml
from tests.analytics.conftest import metric_spec
from tests.helpers import INJECTIONS, table_row_counts


def test_metric_names_and_sources_are_refused_and_relations_validated() -> None:
    shipped = read_config_yaml(REPO_ROOT / "config" / "metrics.yml", MetricCatalogueError)
    name, spec = next(iter(shipped["metrics"].items()))
    for injection in INJECTIONS:
        with pytest.raises(MetricCatalogueError, match="lower_snake_case"):
            parse_metric_catalogue({"version": 1, "metrics": {injection: spec}})
        with pytest.raises(MetricCatalogueError, match="source"):
            parse_metric_catalogue({"version": 1, "metrics": {name: {**spec, "source": injection}}})
    catalogue = load_metric_catalogue(REPO_ROOT / "config" / "metrics.yml")
    with duckdb.connect() as con:
        con.execute("create schema raw; create table raw.load_log (x int)")
        for injection in ["marts.x; drop table raw.load_log", *INJECTIONS]:
            with pytest.raises(ValueError, match="not a relation name"):
                compute_metric_values(con, catalogue, injection)
        assert table_row_counts(con) == {"raw.load_log": 0}


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
