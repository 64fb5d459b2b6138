"""The metric catalogue (config/metrics.yml): load and validate it, and lay it out for dbt.

Every metric is one rule over its observations (numerator, denominator per row):
`ratio` = sum(numerator) / sum(denominator), `sum` = sum(numerator). So one query shape gives
any metric at any grain and scope (the dbt model metric_values, over fct_metric_observations),
and a new metric is a catalogue entry plus the rows that observe it. The catalogue reaches the
engine as data (`catalogue_rows`), never as SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from common.strict_yaml import read_config_yaml

DIRECTIONS = ("higher_is_better", "lower_is_better")
AGGREGATIONS = ("ratio", "sum")
GRAINS = ("day", "month")
# Scope type -> column of the observations that holds the scope id (company: everything); the
# dbt model metric_values cuts by the same columns.
SCOPE_COLUMNS = {
    "company": None,
    "value_stream": "value_stream_id",
    "job": "job_id",
    "segment": "segment",
    "touchpoint": "touchpoint_id",
    "team": "team",
    "territory": "territory",
    "business_unit": "business_unit",
    "channel": "channel",
}
SCOPE_TYPES = tuple(SCOPE_COLUMNS)
COMPANY_SCOPE_ID = "all"
# The relations a metric may be computed from (validated names, not free SQL).
SOURCES = ("marts.fct_metric_observations", "marts.customer_clv", "marts.rox_score")
# Metrics a Python mart publishes per month and scope (not observations metric_values sums):
# the OKRs read them from their mart beside marts.metric_values.
PUBLISHED_SCORE_SOURCES = ("marts.rox_score",)
CATALOGUE_ROW_COLUMNS = [
    "metric",
    "aggregation",
    "period_grain",
    "scope_type",
    "label",
    "unit",
    "direction",
    "source",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_REQUIRED = (
    "label",
    "description",
    "unit",
    "direction",
    "source",
    "expression",
    "aggregation",
    "grains",
    "scopes",
)


class MetricCatalogueError(ValueError):
    """A catalogue that cannot be used; the message names the file and the metric or key."""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    description: str
    unit: str
    direction: str
    source: str
    expression: str
    aggregation: str
    grains: tuple[str, ...]
    scopes: tuple[str, ...]

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_is_better"


def load_metric_catalogue(path: Path) -> dict[str, Metric]:
    """Read and validate the catalogue; raises MetricCatalogueError naming what is wrong."""
    data = read_config_yaml(path, MetricCatalogueError)
    return parse_metric_catalogue(data, path.name)


def parse_metric_catalogue(data: Any, name: str = "metrics.yml") -> dict[str, Metric]:
    if not isinstance(data, dict) or set(data) != {"version", "metrics"}:
        raise MetricCatalogueError(f"{name}: expected exactly the keys 'version' and 'metrics'")
    if data["version"] != 1:
        raise MetricCatalogueError(f"{name}: version {data['version']!r} is not supported (1)")
    metrics = data["metrics"]
    if not isinstance(metrics, dict) or not metrics:
        raise MetricCatalogueError(f"{name}: 'metrics' must map metric names to definitions")
    return {key: _parse_metric(name, key, spec) for key, spec in metrics.items()}


def _parse_metric(name: str, key: Any, spec: Any) -> Metric:
    where = f"{name}: metric {key!r}"
    if not isinstance(key, str) or not _NAME.match(key):
        raise MetricCatalogueError(f"{where}: a name is lower_snake_case (a-z, 0-9, _)")
    if not isinstance(spec, dict):
        raise MetricCatalogueError(f"{where}: expected a mapping of its fields")
    missing = [field for field in _REQUIRED if field not in spec]
    unknown = sorted(set(spec) - set(_REQUIRED))
    if missing:
        raise MetricCatalogueError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise MetricCatalogueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for field in ("label", "description", "unit", "expression"):
        if not isinstance(spec[field], str) or not spec[field].strip():
            raise MetricCatalogueError(f"{where}: '{field}' must be a non-empty text")
    _one_of(where, "direction", spec["direction"], DIRECTIONS)
    _one_of(where, "source", spec["source"], SOURCES)
    _one_of(where, "aggregation", spec["aggregation"], AGGREGATIONS)
    grains = _subset(where, "grains", spec["grains"], GRAINS)
    scopes = _subset(where, "scopes", spec["scopes"], SCOPE_TYPES)
    return Metric(
        name=key,
        label=spec["label"].strip(),
        description=spec["description"].strip(),
        unit=spec["unit"].strip(),
        direction=spec["direction"],
        source=spec["source"],
        expression=spec["expression"].strip(),
        aggregation=spec["aggregation"],
        grains=grains,
        scopes=scopes,
    )


def _one_of(where: str, field: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise MetricCatalogueError(f"{where}: {field} {value!r} is not one of {', '.join(allowed)}")


def _subset(where: str, field: str, values: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise MetricCatalogueError(f"{where}: '{field}' must be a non-empty list")
    for value in values:
        _one_of(where, field[:-1], value, allowed)
    if len(set(values)) != len(values):
        raise MetricCatalogueError(f"{where}: '{field}' lists a value twice")
    return tuple(values)


def catalogue_rows(catalogue: dict[str, Metric]) -> pd.DataFrame:
    """The catalogue as the rows dbt aggregates by: one per metric, grain and scope it allows.

    Written to `config.metric_catalogue` (the source of the dbt model metric_values), so the
    aggregation rule runs in the engine while the catalogue stays one validated file.
    """
    rows = [
        {
            "metric": m.name,
            "aggregation": m.aggregation,
            "period_grain": grain,
            "scope_type": scope,
            "label": m.label,
            "unit": m.unit,
            "direction": m.direction,
            "source": m.source,
        }
        for m in catalogue.values()
        for grain in m.grains
        for scope in m.scopes
    ]
    return pd.DataFrame(rows, columns=CATALOGUE_ROW_COLUMNS)
