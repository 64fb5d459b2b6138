"""OKRs (config/okrs.yml): load and validate them, and score key results against metric values.

Rules (documented in docs/okr.md):
- progress = (actual - baseline) / (target - baseline), reported unclipped and clipped to 0..1.
  The same formula serves lower-is-better metrics (the target is below the baseline, so both
  differences are negative); a target on the wrong side of the baseline for the metric's
  direction is refused at load.
- baseline = target is a "hold the line" key result: progress 1 while the actual is at least
  as good as the target, else 0; its expected progress is 1 in every month.
- expected progress = share of the key result's time elapsed at the end of the period.
- status: on track when progress >= expected - 0.10; at risk when >= expected - 0.25; else off
  track; "no data" when the metric has no value for the period.
- grade: progress rounded to 0.1 (Google style, the share of the target reached so far); its
  band is the status's colour (on track green, at risk yellow, off track red), so status and
  grade follow one rule and never disagree (a grade of 0.0 in a key result's first weeks is
  green while nothing is due yet).
- a key result that ended keeps its final result (the last month with data up to its end) in
  every later month (`has_ended`), so a roll-up does not turn green when it drops out.
- objective score = weighted mean of its key results' progress; value stream score = weighted
  mean of its key results across objectives; company score = mean of the objectives' scores.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.metric_catalogue import COMPANY_SCOPE_ID, Metric
from common.strict_yaml import read_config_yaml

ON_TRACK_SLACK = 0.10
AT_RISK_SLACK = 0.25
STATUSES = ("on track", "at risk", "off track", "no data")
# The grade band of each status: one rule for both (docs/okr.md).
STATUS_BAND = {"on track": "green", "at risk": "yellow", "off track": "red", "no data": None}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_OBJECTIVE_KEYS = ("id", "statement", "value_stream", "job", "owner")
_KEY_RESULT_KEYS = (
    "id",
    "objective",
    "metric",
    "scope",
    "baseline",
    "target",
    "start",
    "end",
    "weight",
)

KEY_RESULT_PROGRESS_COLUMNS = [
    "key_result_id",
    "objective_id",
    "value_stream_id",
    "job_id",
    "metric",
    "unit",
    "direction",
    "scope_type",
    "scope_id",
    "period_start",
    "start_date",
    "end_date",
    "is_final_period",
    "has_ended",
    "actual",
    "n",
    "baseline",
    "target",
    "kind",
    "progress_unclipped",
    "progress",
    "expected_progress",
    "status",
    "grade",
    "grade_band",
    "weight",
]


class OkrConfigError(ValueError):
    """OKRs that cannot be used; the message names the file and the objective or key result."""


@dataclass(frozen=True)
class Objective:
    id: str
    statement: str
    value_stream: str
    job: str | None
    owner: str


@dataclass(frozen=True)
class KeyResult:
    id: str
    objective: str
    metric: str
    scope_type: str
    scope_id: str
    baseline: float
    target: float
    start: dt.date
    end: dt.date
    weight: float


def load_okrs(
    path: Path, catalogue: dict[str, Metric], known_scopes: dict[str, set[str]]
) -> tuple[list[Objective], list[KeyResult]]:
    """Read and validate the OKR file against the catalogue and the scopes that exist."""
    data = read_config_yaml(path, OkrConfigError)
    return parse_okrs(data, catalogue, known_scopes, path.name)


def parse_okrs(
    data: Any,
    catalogue: dict[str, Metric],
    known_scopes: dict[str, set[str]],
    name: str = "okrs.yml",
) -> tuple[list[Objective], list[KeyResult]]:
    if not isinstance(data, dict) or set(data) != {"version", "objectives", "key_results"}:
        raise OkrConfigError(
            f"{name}: expected exactly the keys 'version', 'objectives' and 'key_results'"
        )
    if data["version"] != 1:
        raise OkrConfigError(f"{name}: version {data['version']!r} is not supported (1)")
    objectives = [
        _objective(name, i, spec, known_scopes) for i, spec in enumerate(data["objectives"] or [])
    ]
    by_id = _unique(name, "objective", [o.id for o in objectives])
    key_results = [
        _key_result(name, i, spec, catalogue, known_scopes, by_id)
        for i, spec in enumerate(data["key_results"] or [])
    ]
    _unique(name, "key result", [k.id for k in key_results])
    for objective in objectives:
        if not any(k.objective == objective.id for k in key_results):
            raise OkrConfigError(f"{name}: objective {objective.id!r} has no key results")
    return objectives, key_results


def _unique(name: str, what: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise OkrConfigError(f"{name}: {what} id {item!r} is used twice")
        seen.add(item)
    return seen


def _fields(where: str, spec: Any, keys: tuple[str, ...], optional: tuple[str, ...]) -> None:
    if not isinstance(spec, dict):
        raise OkrConfigError(f"{where}: expected a mapping of its fields")
    missing = [k for k in keys if k not in spec and k not in optional]
    unknown = sorted(str(k) for k in set(spec) - set(keys))
    if missing:
        raise OkrConfigError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise OkrConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _text(where: str, spec: dict, key: str) -> str:
    value = spec[key]
    if not isinstance(value, str) or not value.strip():
        raise OkrConfigError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _ident(where: str, spec: dict, key: str) -> str:
    value = spec[key]
    if not isinstance(value, str) or not _ID.match(value):
        raise OkrConfigError(f"{where}: '{key}' {value!r} is not a valid id (letters, digits, _.-)")
    return value


def _objective(name: str, index: int, spec: Any, known: dict[str, set[str]]) -> Objective:
    where = f"{name}: objective #{index + 1}"
    _fields(where, spec, _OBJECTIVE_KEYS, optional=("job",))
    where = f"{name}: objective {spec.get('id')!r}"
    value_stream = _text(where, spec, "value_stream")
    if value_stream not in known.get("value_stream", set()):
        raise OkrConfigError(f"{where}: unknown value stream {value_stream!r}")
    job = spec.get("job")
    if job is not None and job not in known.get("job", set()):
        raise OkrConfigError(f"{where}: unknown job {job!r}")
    return Objective(
        id=_ident(where, spec, "id"),
        statement=_text(where, spec, "statement"),
        value_stream=value_stream,
        job=job,
        owner=_text(where, spec, "owner"),
    )


def _number(where: str, spec: dict, key: str) -> float:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise OkrConfigError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def _date(where: str, spec: dict, key: str) -> dt.date:
    value = spec[key]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OkrConfigError(f"{where}: '{key}' must be a date YYYY-MM-DD, got {value!r}") from None


def _key_result(
    name: str,
    index: int,
    spec: Any,
    catalogue: dict[str, Metric],
    known: dict[str, set[str]],
    objectives: set[str],
) -> KeyResult:
    where = f"{name}: key result #{index + 1}"
    _fields(where, spec, _KEY_RESULT_KEYS, optional=("weight",))
    kr_id = _ident(where, spec, "id")
    where = f"{name}: key result {kr_id!r}"
    objective = _text(where, spec, "objective")
    if objective not in objectives:
        raise OkrConfigError(f"{where}: unknown objective {objective!r}")
    metric_name = _text(where, spec, "metric")
    metric = catalogue.get(metric_name)
    if metric is None:
        raise OkrConfigError(f"{where}: unknown metric {metric_name!r} (not in the catalogue)")
    scope_type, scope_id = _scope(where, _text(where, spec, "scope"), metric, known)
    baseline, target = _number(where, spec, "baseline"), _number(where, spec, "target")
    if target != baseline and (target > baseline) != metric.higher_is_better:
        better = "above" if metric.higher_is_better else "below"
        raise OkrConfigError(
            f"{where}: {metric_name} is {metric.direction.replace('_', ' ')}, so the target "
            f"({target:g}) must be {better} the baseline ({baseline:g})"
        )
    start, end = _date(where, spec, "start"), _date(where, spec, "end")
    if end <= start:
        raise OkrConfigError(f"{where}: end {end} is not after start {start}")
    weight = _number(where, spec, "weight") if "weight" in spec else 1.0
    if weight <= 0:
        raise OkrConfigError(f"{where}: weight must be positive, got {weight:g}")
    return KeyResult(
        kr_id, objective, metric_name, scope_type, scope_id, baseline, target, start, end, weight
    )


def _scope(where: str, text: str, metric: Metric, known: dict[str, set[str]]) -> tuple[str, str]:
    """'company' or '<scope type>:<scope id>', checked against the metric and known ids."""
    scope_type, _, scope_id = text.partition(":")
    scope_type, scope_id = scope_type.strip(), scope_id.strip()
    if scope_type == "company":
        scope_id = scope_id or COMPANY_SCOPE_ID
    if scope_type not in metric.scopes:
        raise OkrConfigError(
            f"{where}: scope {text!r}: {metric.name} can be cut by {', '.join(metric.scopes)}"
        )
    if scope_type != "company" and scope_id not in known.get(scope_type, set()):
        raise OkrConfigError(f"{where}: scope {text!r}: unknown {scope_type} {scope_id!r}")
    return scope_type, scope_id


def _month_end(month_start: dt.date) -> dt.date:
    nxt = (pd.Timestamp(month_start) + pd.offsets.MonthBegin(1)).date()
    return nxt - dt.timedelta(days=1)


def key_result_progress(
    key_results: list[KeyResult],
    objectives: list[Objective],
    catalogue: dict[str, Metric],
    metric_values: pd.DataFrame,
    as_of: dt.date,
) -> pd.DataFrame:
    """One row per key result and month from its start to its end or `as_of`, if earlier."""
    monthly = metric_values[metric_values["period_grain"] == "month"].set_index(
        ["metric", "scope_type", "scope_id", "period_start"]
    )
    by_objective = {o.id: o for o in objectives}
    rows = []
    for kr in key_results:
        metric = catalogue[kr.metric]
        objective = by_objective[kr.objective]
        last = min(kr.end, as_of)
        measured: list[dict] = []
        for month in pd.date_range(kr.start.replace(day=1), last, freq="MS").date:
            key = (kr.metric, kr.scope_type, kr.scope_id, month)
            actual, n = (None, 0)
            if key in monthly.index:
                actual, n = monthly.loc[key, "value"], int(monthly.loc[key, "n"])
                actual = None if pd.isna(actual) else float(actual)
            period_end = min(_month_end(month), kr.end)
            elapsed = (period_end - kr.start).days + 1
            expected = float(np.clip(elapsed / ((kr.end - kr.start).days + 1), 0.0, 1.0))
            if kr.target == kr.baseline:
                expected = 1.0  # a line to hold is due every month, not by the end
            unclipped = _progress(kr, metric, actual)
            progress = None if unclipped is None else float(np.clip(unclipped, 0.0, 1.0))
            state = status(progress, expected)
            measured.append(
                {
                    "key_result_id": kr.id,
                    "objective_id": kr.objective,
                    "value_stream_id": objective.value_stream,
                    "job_id": objective.job,
                    "metric": kr.metric,
                    "unit": metric.unit,
                    "direction": metric.direction,
                    "scope_type": kr.scope_type,
                    "scope_id": kr.scope_id,
                    "period_start": month,
                    "start_date": kr.start,
                    "end_date": kr.end,
                    "is_final_period": _month_end(month) >= kr.end,
                    "has_ended": False,
                    "actual": actual,
                    "n": n,
                    "baseline": kr.baseline,
                    "target": kr.target,
                    "kind": "maintain" if kr.target == kr.baseline else "improve",
                    "progress_unclipped": unclipped,
                    "progress": progress,
                    "expected_progress": expected,
                    "status": state,
                    "grade": None if progress is None else round(progress, 1),
                    "grade_band": STATUS_BAND[state],
                    "weight": kr.weight,
                }
            )
        rows += measured + _after_the_end(kr, measured, as_of)
    return pd.DataFrame(rows, columns=KEY_RESULT_PROGRESS_COLUMNS)


def _after_the_end(kr: KeyResult, measured: list[dict], as_of: dt.date) -> list[dict]:
    """The months after a key result ended, up to `as_of`, each carrying its final result (the
    last month with data), so roll-ups keep counting it."""
    with_data = [row for row in measured if row["progress"] is not None]
    if not measured or as_of <= kr.end:
        return []
    final = with_data[-1] if with_data else measured[-1]
    first = (pd.Timestamp(kr.end) + pd.offsets.MonthBegin(1)).date()
    return [
        {**final, "period_start": month, "is_final_period": False, "has_ended": True}
        for month in pd.date_range(first, as_of, freq="MS").date
    ]


def _progress(kr: KeyResult, metric: Metric, actual: float | None) -> float | None:
    if actual is None:
        return None
    if kr.target == kr.baseline:
        # Hold the line: met while the actual is at least as good as the target.
        met = actual >= kr.target if metric.higher_is_better else actual <= kr.target
        return 1.0 if met else 0.0
    return (actual - kr.baseline) / (kr.target - kr.baseline)


def status(progress: float | None, expected: float) -> str:
    if progress is None:
        return "no data"
    if progress >= expected - ON_TRACK_SLACK:
        return "on track"
    if progress >= expected - AT_RISK_SLACK:
        return "at risk"
    return "off track"


def rollup(progress: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Weighted mean progress and expected progress of key results, per `by` and period.

    Key results without data in a period are left out of that period's score (and counted).
    """
    scored = progress.assign(
        weighted=progress["progress"] * progress["weight"],
        weighted_expected=progress["expected_progress"] * progress["weight"],
        scored_weight=progress["weight"].where(progress["progress"].notna(), 0.0),
    )
    scored["weighted_expected"] = scored["weighted_expected"].where(
        progress["progress"].notna(), 0.0
    )
    grouped = scored.groupby([*by, "period_start"], dropna=False).agg(
        weighted=("weighted", "sum"),
        weighted_expected=("weighted_expected", "sum"),
        scored_weight=("scored_weight", "sum"),
        key_results=("key_result_id", "nunique"),
        key_results_without_data=("progress", lambda s: int(s.isna().sum())),
    )
    grouped = grouped.reset_index()
    has = grouped["scored_weight"] > 0
    grouped["score"] = (grouped["weighted"] / grouped["scored_weight"]).where(has)
    grouped["expected_progress"] = (grouped["weighted_expected"] / grouped["scored_weight"]).where(
        has
    )
    grouped["status"] = [
        status(None if pd.isna(s) else s, 0.0 if pd.isna(e) else e)
        for s, e in zip(grouped["score"], grouped["expected_progress"], strict=True)
    ]
    grouped["grade"] = grouped["score"].round(1)
    grouped["grade_band"] = [STATUS_BAND[s] for s in grouped["status"]]
    return grouped.drop(columns=["weighted", "weighted_expected", "scored_weight"])


def objective_progress(progress: pd.DataFrame, objectives: list[Objective]) -> pd.DataFrame:
    scores = rollup(progress, ["objective_id"])
    meta = pd.DataFrame(
        [
            {
                "objective_id": o.id,
                "objective": o.statement,
                "value_stream_id": o.value_stream,
                "job_id": o.job,
                "owner": o.owner,
            }
            for o in objectives
        ]
    )
    return meta.merge(scores, on="objective_id", how="inner")


def value_stream_progress(progress: pd.DataFrame) -> pd.DataFrame:
    return rollup(progress, ["value_stream_id"])


def company_progress(objective_scores: pd.DataFrame) -> pd.DataFrame:
    """One company score per month: the mean of the objectives' scores that month (each
    objective counts once, whatever its key results' weights), by the same status rule."""
    columns = [
        "period_start", "score", "expected_progress", "objectives",
        "objectives_without_data", "status", "grade", "grade_band",
    ]  # fmt: skip
    if objective_scores.empty:
        return pd.DataFrame(columns=columns)
    scored = objective_scores.assign(_has=objective_scores["score"].notna())
    grouped = scored.groupby("period_start").agg(
        score=("score", "mean"),
        expected_progress=(
            "expected_progress",
            lambda e: e[scored.loc[e.index, "_has"]].mean(),
        ),
        objectives=("objective_id", "nunique"),
        objectives_without_data=("_has", lambda h: int((~h).sum())),
    )
    grouped = grouped.reset_index()
    grouped["status"] = [
        status(None if pd.isna(s) else float(s), 0.0 if pd.isna(e) else float(e))
        for s, e in zip(grouped["score"], grouped["expected_progress"], strict=True)
    ]
    grouped["grade"] = grouped["score"].round(1)
    grouped["grade_band"] = [STATUS_BAND[s] for s in grouped["status"]]
    return grouped[columns]


def with_published_scores(values: pd.DataFrame, rox_score: pd.DataFrame) -> pd.DataFrame:
    """marts.metric_values with the scores marts.rox_score publishes as catalogue metrics
    (cx_index: month, scope, value, n = respondents), in metric_values' columns, periods as
    dates."""
    cx = pd.DataFrame(
        {
            "metric": "cx_index",
            "period_grain": "month",
            "period_start": pd.to_datetime(rox_score["month_start"]).dt.date,
            "scope_type": rox_score["scope_type"],
            "scope_id": rox_score["scope_id"],
            "value": rox_score["cx_index"].astype(float),
            "n": rox_score["respondents"].fillna(0).astype("int64"),
            "is_suppressed": rox_score["cx_index"].isna(),
        }
    )
    values = values.assign(period_start=pd.to_datetime(values["period_start"]).dt.date)
    return pd.concat([values, cx[list(values.columns)]], ignore_index=True)
