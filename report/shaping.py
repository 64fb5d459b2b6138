"""From mart frames to what a chart shows: the latest rows, heatmap cells, histogram bins,
driver quadrants and label positions that do not overlap. Pure pandas, no drawing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from report.formatting import is_number, nice_ticks

HEATMAP_MONTHS = 3
RECOMMEND_OUTCOME = "likelihood_to_recommend"


def missing_columns(frame: pd.DataFrame, required: Sequence[str]) -> list[str]:
    return [c for c in required if c not in frame.columns]


def ordered(values: Sequence[object], preferred: Sequence[str]) -> list[str]:
    """The distinct values, those in `preferred` first in its order, the rest sorted."""
    present = {str(v) for v in values if v is not None and not pd.isna(v)}
    head = [p for p in preferred if p in present]
    return head + sorted(present - set(head))


def latest(frame: pd.DataFrame, column: str = "month_start") -> pd.DataFrame:
    """The rows of the latest date in `column` (all rows when it has no dates)."""
    if column not in frame.columns or frame[column].isna().all():
        return frame
    dates = pd.to_datetime(frame[column])
    return frame[dates == dates.max()]


def latest_known(frame: pd.DataFrame, column: str) -> pd.Series | None:
    """The latest row (by month) whose `column` has a value, or None."""
    if column not in frame.columns:
        return None
    known = frame[frame[column].map(is_number)]
    if known.empty:
        return None
    if "month_start" in known.columns:
        known = known.assign(month_start=pd.to_datetime(known["month_start"]))
        known = known.sort_values("month_start")
    return known.iloc[-1]


def company(frame: pd.DataFrame) -> pd.DataFrame:
    """The company-wide rows when the mart has scopes, else the frame."""
    if "scope_type" in frame.columns and (frame["scope_type"] == "company").any():
        return frame[frame["scope_type"] == "company"]
    return frame


@dataclass(frozen=True)
class Cell:
    score: float | None
    volume: float = 0
    moment: bool = False
    # Signals were there but too few to publish a score (the mart's is_suppressed).
    suppressed: bool = False


@dataclass(frozen=True)
class HeatmapGrid:
    stages: list[str]
    touchpoints: list[str]
    jobs: dict[str, dict[tuple[str, str], Cell]]
    months: list[pd.Timestamp]


def heatmap_grid(
    frame: pd.DataFrame,
    *,
    months: int = HEATMAP_MONTHS,
    stage_order: Sequence[str] = (),
    touchpoint_order: Sequence[str] = (),
) -> HeatmapGrid:
    """Cells per job over the latest `months` months: mean score weighted by scored volume.

    The mart's `all` segment is used when it exists (the other segments are its parts, so
    summing them as well would count every signal twice); otherwise all segments are pooled.
    """
    f = frame.copy()
    f["month_start"] = pd.to_datetime(f["month_start"])
    latest_months = sorted(f["month_start"].dropna().unique())[-months:]
    f = f[f["month_start"].isin(latest_months)]
    if "segment" in f.columns and (f["segment"] == "all").any():
        f = f[f["segment"] == "all"]
    weight_column = "scored_volume" if "scored_volume" in f.columns else "volume"
    score = pd.to_numeric(f["mean_score_0_100"], errors="coerce")
    weight = pd.to_numeric(f[weight_column], errors="coerce").fillna(0).where(score.notna(), 0)
    volume = pd.to_numeric(f["volume"], errors="coerce").fillna(0) if "volume" in f else weight
    moment = (
        f["is_moment_that_matters"].fillna(False).astype(bool)
        if "is_moment_that_matters" in f.columns
        else pd.Series(False, index=f.index)
    )
    suppressed = (
        f["is_suppressed"].fillna(False).astype(bool)
        if "is_suppressed" in f.columns
        else pd.Series(False, index=f.index)
    )
    f = f.assign(
        _w=weight,
        _ws=(score.fillna(0) * weight),
        _v=volume,
        _m=moment,
        _s=suppressed,
        job=f["job"].fillna("?"),
    )
    grouped = f.groupby(["job", "stage_id", "touchpoint_id"], dropna=True).agg(
        w=("_w", "sum"), ws=("_ws", "sum"), v=("_v", "sum"), m=("_m", "any"), s=("_s", "any")
    )
    jobs: dict[str, dict[tuple[str, str], Cell]] = {}
    for (job, stage, touchpoint), row in grouped.iterrows():
        mean = row["ws"] / row["w"] if row["w"] > 0 else None
        jobs.setdefault(str(job), {})[(str(stage), str(touchpoint))] = Cell(
            mean, float(row["v"]), bool(row["m"]), suppressed=mean is None and bool(row["s"])
        )
    known = [j for j in sorted(jobs) if j not in ("unknown", "?")]
    jobs = {j: jobs[j] for j in known + [j for j in ("unknown", "?") if j in jobs]}
    return HeatmapGrid(
        stages=ordered(f["stage_id"], stage_order),
        touchpoints=ordered(f["touchpoint_id"], touchpoint_order),
        jobs=jobs,
        months=[pd.Timestamp(m) for m in latest_months],
    )


def driver_outcome(frame: pd.DataFrame) -> str | None:
    """Recommendation if the mart has it, else the first outcome it holds."""
    outcomes = [o for o in frame["outcome"].tolist() if o is not None]
    if RECOMMEND_OUTCOME in outcomes:
        return RECOMMEND_OUTCOME
    recommend = [o for o in outcomes if "recommend" in str(o)]
    return (recommend or outcomes or [None])[0]


def quadrant(
    given: object, importance: float, performance: float, cuts: tuple[float, float]
) -> str:
    """The mart's quadrant when it names one; else from the cuts (importance above the average
    is important, performance at or above the median is strong)."""
    if isinstance(given, str) and given:
        return given
    important, strong = importance > cuts[0], performance >= cuts[1]
    return {(1, 0): "fix", (1, 1): "leverage", (0, 1): "maintain"}.get(
        (int(important), int(strong)), "monitor"
    )


def clv_histogram(values: pd.Series, bins: int = 20) -> tuple[list[float], list[int]]:
    """Bin edges (round numbers) and counts; values above the 99th percentile fall into the
    last bin, so a few very valuable customers do not squash the rest into one bar."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return [], []
    low, high = min(0.0, float(v.min())), float(np.quantile(v, 0.99))
    ticks = nice_ticks(low, high, bins)
    edges = np.array(ticks if len(ticks) > 1 else [low, low + 1.0])
    counts, _ = np.histogram(np.clip(v, edges[0], edges[-1]), bins=edges)
    return [float(e) for e in edges], [int(c) for c in counts]


def spread(positions: Sequence[float], gap: float) -> list[float]:
    """Move label positions apart so neighbours are at least `gap` apart, keeping their order."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [float(positions[i]) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    result = [0.0] * len(positions)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def label_rows(
    points: Sequence[tuple[float, float, str]],
    *,
    gap: float,
    char_width: float,
    dot: float,
    radius: float = 9.0,
) -> list[float]:
    """Heights for the names written `dot` px right of scatter points of `radius` px (x in px,
    y in the points' units, y up). From the lowest point up, a name that would cover a placed
    name or another point moves `gap` above it; upwards, because the lowest names sit nearest
    the quadrant labels of the bottom strip."""
    dots = [(x - radius, x + radius, y) for x, y, _ in points]
    placed: list[tuple[float, float, float]] = []
    result = [0.0] * len(points)
    for i in sorted(range(len(points)), key=lambda k: (points[k][1], points[k][0])):
        x, y, name = points[i]
        left, right, at = x + dot, x + dot + char_width * len(name), y
        obstacles = placed + [box for j, box in enumerate(dots) if j != i]
        for _ in range(len(obstacles) + 1):
            clashes = [
                other_y
                for other_left, other_right, other_y in obstacles
                if left < other_right and other_left < right and abs(at - other_y) < gap
            ]
            if not clashes:
                break
            at = max(clashes) + gap
        placed.append((left, right, at))
        result[i] = at
    return result
