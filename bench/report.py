"""Turn a run's events and samples into the benchmark's figures, targets, JSON and Markdown.

Pure functions (no Dagster, no subprocesses), so the figures can be checked on made-up events.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.sampler import Sample, cpu_seconds, peak_mb

# Steps of Python assets, by step key; every other raw step is ingest, dbt steps are layers and
# steps that only evaluate checks are gates (see `stage_of`).
PYTHON_STAGES = {
    "raw__text_signals": "text_signals",
    "config__metric_catalogue": "metric_catalogue",
    "clv_marts": "clv_fit",
    "driver_marts": "drivers",
    "okr_marts": "okr",
    "rox_marts": "rox",
    "report__cx_report": "report",
    "published__marts": "publish",
}
STAGE_ORDER = (
    "ingest",
    "gates",
    "dbt_config",
    "dbt_staging",
    "text_signals",
    "metric_catalogue",
    "dbt_intermediate",
    "dbt_daily",
    "dbt_marts",
    "clv_fit",
    "drivers",
    "okr",
    "rox",
    "report",
    "publish",
)
# Check steps by name (Great Expectations suites, freshness, match rates), for a step stopped
# before it emitted its result.
GATE_STEP = re.compile(r"_ge_\w+$|^freshness_check_|_match_rates$")
# Stages the floor covers (with every dbt layer): loading the sources and gating them.
SQL_STAGES = ("ingest", "gates")
STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED")
REQUIRED_KEYS = (
    "customers",
    "pipeline_s",
    "floor_s",
    "pipeline_over_floor",
    "incremental_over_full",
    "gates_share",
    "clv_fit_s",
    "scaling_2x",
    "peak_rss_mb",
)
PACKAGES = (
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "dagster",
    "dagster-dbt",
    "great-expectations",
    "pandas",
    "numpy",
    "scipy",
)
MARKDOWN_START = "<!-- bench:latest:start -->"
MARKDOWN_END = "<!-- bench:latest:end -->"


@dataclass(frozen=True)
class Target:
    """A target from issue #13: `key` of the figures must be at most `limit`."""

    key: str
    limit: float
    what: str
    at_customers: int | None = None  # the target applies at this size only


TARGETS = (
    Target("pipeline_over_floor", 1.5, "full build / raw-SQL floor"),
    Target("incremental_over_full", 0.10, "incremental day / full build"),
    Target("gates_share", 0.15, "gates / full build"),
    Target("scaling_2x", 2.2, "full build at 2N / at N"),
    Target("peak_rss_mb", 4096.0, "peak memory (MiB) at 1M customers", at_customers=1_000_000),
)


# -- steps and stages -----------------------------------------------------------------------


def step_timeline(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per step key: first start, last end, status, and what the step emitted.

    A retried step counts from its first start to its final end (the retries' waits included).
    """
    steps: dict[str, dict[str, Any]] = {}
    for event in events:
        key = event.get("step")
        if not key:
            continue
        step = steps.setdefault(
            key,
            {"start": None, "end": None, "status": None, "materialized": 0, "checks": []},
        )
        kind = event["type"]
        if kind == "STEP_START" and step["start"] is None:
            step["start"] = event["t"]
        elif kind in STEP_ENDS:
            step["end"] = event["t"]
            step["status"] = kind.removeprefix("STEP_").lower()
        elif kind == "ASSET_MATERIALIZATION":
            step["materialized"] += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            step["checks"].append(event)
    for step in steps.values():
        started, ended = step["start"], step["end"]
        step["s"] = round(ended - started, 3) if started is not None and ended else 0.0
    return steps


def stage_of(step_key: str, step: dict[str, Any]) -> str:
    """The stage a step belongs to: ingest, gates, a dbt layer or a Python asset."""
    if step_key in PYTHON_STAGES:
        return PYTHON_STAGES[step_key]
    if step_key.startswith("dbt_"):
        # Dagster splits a layer into several steps when Python assets sit between its models.
        return re.sub(r"_\d+$", "", step_key)
    if step["checks"] and not step["materialized"]:
        return "gates"
    if step["end"] is None and GATE_STEP.search(step_key):
        return "gates"  # stopped before it reported: known by its name
    if step_key.startswith("raw__"):
        return "ingest"
    return f"other:{step_key}"


def dbt_seconds(events: list[dict[str, Any]], prefix: str) -> float:
    """dbt's own execution time of the nodes whose unique id starts with `prefix`
    ("model." or "test."), from dagster-dbt's `Execution Duration`."""
    return sum(
        e.get("dbt_s", 0.0)
        for e in events
        if e.get("unique_id", "").startswith(prefix)
        and e["type"] in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION", "ASSET_OBSERVATION")
    )


def run_seconds(events: list[dict[str, Any]]) -> float:
    """Wall time of the run: RUN_START to its end (first step start to last end without them)."""
    starts = [e["t"] for e in events if e["type"] == "RUN_START"]
    ends = [e["t"] for e in events if e["type"] in ("RUN_SUCCESS", "RUN_FAILURE")]
    if not starts or not ends:
        steps = step_timeline(events).values()
        starts = [s["start"] for s in steps if s["start"] is not None]
        ends = [s["end"] for s in steps if s["end"] is not None]
    return round(max(ends) - min(starts), 3) if starts and ends else 0.0


def summarise_run(
    run: dict[str, Any], samples: list[Sample], interval_s: float = 0.2
) -> dict[str, Any]:
    """Figures of one materialisation: wall and CPU time, stages with their peak memory, gates."""
    events = run["events"]
    steps = step_timeline(events)
    stages: dict[str, dict[str, Any]] = {}
    for key, step in steps.items():
        if step["start"] is None:  # skipped after a failure upstream
            continue
        stage = stages.setdefault(
            stage_of(key, step),
            {"s": 0.0, "cpu_s": 0.0, "steps": {}, "steps_peak_rss_mb": {}, "windows": []},
        )
        stage["s"] += step["s"]
        stage["steps"][key] = step["s"]
        # Widened by one sampling interval, so a short step still sees a sample.
        window = (step["start"] - interval_s, (step["end"] or step["start"]) + interval_s)
        stage["steps_peak_rss_mb"][key] = peak_mb(samples, *window)
        stage["windows"].append(window)
        if step["end"]:
            stage["cpu_s"] += cpu_seconds(samples, step["start"], step["end"])
    pipeline_s = run_seconds(events)
    ordered = sorted(stages, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else 99, s))
    stage_rows = []
    for name in ordered:
        stage = stages[name]
        stage_rows.append(
            {
                "stage": name,
                "s": round(stage["s"], 3),
                "share": round(stage["s"] / pipeline_s, 4) if pipeline_s else None,
                "cpu_s": round(stage["cpu_s"], 2),
                "peak_rss_mb": max(
                    (peak_mb(samples, start, end) for start, end in stage["windows"]), default=0.0
                ),
                "steps": stage["steps"],
                "steps_peak_rss_mb": stage["steps_peak_rss_mb"],
            }
        )
    gate_steps_s = stages.get("gates", {}).get("s", 0.0)
    dbt_tests_s = dbt_seconds(events, "test.")
    gates_s = gate_steps_s + dbt_tests_s
    dbt_layers_s = sum(v["s"] for k, v in stages.items() if k.startswith("dbt_"))
    failed = sorted(k for k, v in steps.items() if v["status"] == "failure")
    skipped = sorted(k for k, v in steps.items() if v["start"] is None)
    sql_stages_s = sum(
        row["s"]
        for row in stage_rows
        if row["stage"] in SQL_STAGES or row["stage"].startswith("dbt_")
    )
    return {
        "success": bool(run.get("success")) and not failed,
        "failed_steps": failed,
        "skipped_steps": skipped,
        "pipeline_s": pipeline_s,
        "process_s": round(run["finished_at"] - run["process_started_at"], 3),
        "startup_s": round(run["definitions_loaded_at"] - run["process_started_at"], 3),
        "peak_rss_mb": peak_mb(samples),
        "dbt_layers_s": round(dbt_layers_s, 3),
        "sql_stages_s": round(sql_stages_s, 3),
        "dbt_models_s": round(dbt_seconds(events, "model."), 3),
        "dbt_tests_s": round(dbt_tests_s, 3),
        "gate_steps_s": round(gate_steps_s, 3),
        "gates_s": round(gates_s, 3),
        "gates_share": round(gates_s / pipeline_s, 4) if pipeline_s else None,
        "gates": stages.get("gates", {}).get("steps", {}),
        "clv_fit_s": round(stages.get("clv_fit", {}).get("s", 0.0), 3),
        "stages": stage_rows,
    }


# -- figures and targets --------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 4)


def finished(run: dict[str, Any] | None) -> bool:
    """Whether a materialisation ran to its end and succeeded (its figures are whole)."""
    return bool(run) and bool(run.get("success")) and not run.get("stopped")


def headline(size: dict[str, Any], double: dict[str, Any] | None) -> dict[str, Any]:
    """The issue's figures for size N (and 2N when measured).

    Figures of a run that was stopped or failed are partial: they are left null here (the
    per-stage figures in `sizes` keep what was measured), except the peak memory, which is
    already a lower bound.
    """
    full, floor = size["full"], size.get("floor") or {}
    incremental = size.get("incremental") or {}
    whole = finished(full)
    pipeline_s = full["pipeline_s"] if whole else None
    cpu_s = full.get("cpu_s") if whole else None
    floor_s = round(floor["ingest_floor_s"] + floor["sql_floor_s"], 3) if floor else None
    incremental_s = incremental.get("pipeline_s") if finished(incremental) else None
    incremental_cpu_s = incremental.get("cpu_s") if finished(incremental) else None
    doubled = double["full"] if double and finished(double.get("full")) else None
    return {
        "customers": size["customers"],
        "pipeline_s": pipeline_s,
        "floor_s": floor_s,
        "pipeline_over_floor": ratio(pipeline_s, floor_s),
        "pipeline_cpu_s": cpu_s,
        "floor_cpu_s": floor.get("cpu_s"),
        "pipeline_over_floor_cpu": ratio(cpu_s, floor.get("cpu_s")),
        "sql_stages_s": round(full["sql_stages_s"], 3) if whole else None,
        "sql_stages_over_floor": ratio(full["sql_stages_s"], floor_s) if whole else None,
        "dbt_over_sql_floor": ratio(full["dbt_layers_s"], floor.get("sql_floor_s"))
        if whole
        else None,
        "incremental_s": incremental_s,
        "incremental_over_full": ratio(incremental_s, pipeline_s),
        "incremental_over_full_cpu": ratio(incremental_cpu_s, cpu_s),
        "gates_share": full["gates_share"] if whole else None,
        "clv_fit_s": full["clv_fit_s"] or None,
        "scaling_2x": ratio(doubled["pipeline_s"], pipeline_s) if doubled else None,
        "scaling_2x_cpu": ratio(doubled.get("cpu_s"), cpu_s) if doubled else None,
        "peak_rss_mb": full["peak_rss_mb"],
        "peak_rss_complete": whole,
        "generate_s": size["generate"]["s"],
    }


def evaluate_targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with its value and whether it is met (None: not measured at that size)."""
    verdicts = {}
    for target in TARGETS:
        value = figures.get(target.key)
        verdict: dict[str, Any] = {"target": f"<= {target.limit:g}", "what": target.what}
        verdict["value"] = value
        if value is None:
            verdict["met"] = None
            verdict["note"] = "not measured in this run"
        elif target.at_customers and figures["customers"] < target.at_customers:
            # Below the size the target is for, only a miss is conclusive (memory grows with N).
            verdict["met"] = False if value > target.limit else None
            verdict["note"] = (
                f"measured at {figures['customers']:,} customers; "
                f"the target is for {target.at_customers:,}"
            )
        elif target.key == "peak_rss_mb" and not figures.get("peak_rss_complete", True):
            # The peak of a stopped build is a lower bound: only a miss is conclusive.
            verdict["met"] = False if value > target.limit else None
            verdict["note"] = "peak of a build that did not finish"
        else:
            verdict["met"] = value <= target.limit
        verdicts[target.key] = verdict
    return verdicts


def result_document(
    sizes: list[dict[str, Any]], machine_info: dict[str, Any], command: list[str]
) -> dict[str, Any]:
    """The JSON written to bench/results: the headline figures of N, targets, every detail."""
    first = sizes[0]
    double = next(
        (s for s in sizes[1:] if s["customers"] == 2 * first["customers"] and "full" in s), None
    )
    figures = headline(first, double)
    targets = evaluate_targets(figures)
    document = {
        **figures,
        "targets": targets,
        "targets_missed": [k for k, v in targets.items() if v["met"] is False],
        "targets_met": [k for k, v in targets.items() if v["met"] is True],
        "machine": machine_info,
        "command": command,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sizes": sizes,
    }
    missing = [k for k in REQUIRED_KEYS if k not in document]
    if missing:
        raise ValueError(f"result document lacks {missing}")
    return document


def write_results(document: dict[str, Any], results_dir: Path) -> tuple[Path, Path]:
    """`latest.json` and a dated copy (`<UTC time>_<customers>.json`) in `results_dir`."""
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2) + "\n"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    dated = results_dir / f"{stamp}_{document['customers']}.json"
    latest = results_dir / "latest.json"
    dated.write_text(text)
    latest.write_text(text)
    return latest, dated


# -- machine and Markdown -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU, cores, memory, OS and the versions of the engines that were measured."""
    cpuinfo = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or None,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cgroup_cpu_max": _read("/sys/fs/cgroup/cpu.max").strip() or None,
        "memory_gb": round(int(meminfo.group(1)) / 1024**2, 1) if meminfo else None,
        "cgroup_memory_max": _read("/sys/fs/cgroup/memory.max").strip() or None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(document: dict[str, Any]) -> str:
    """The run as Markdown: machine, headline figures against targets, stages of the full build."""
    m = document["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    lines = [
        f"Run of {document['written_at']}: `{' '.join(document['command'])}`",
        "",
        f"Machine: {m['cpu']}, {m['cpus_usable']} usable of {m['cpus']} CPUs, "
        f"{m['memory_gb']} GB RAM, {m['os']}, Python {m['python']}; {packages}.",
        "",
        "| figure | value | target | met |",
        "| --- | --- | --- | --- |",
    ]
    targets = document["targets"]
    for key in (
        "customers",
        "generate_s",
        "pipeline_s",
        "floor_s",
        "pipeline_over_floor",
        "pipeline_cpu_s",
        "floor_cpu_s",
        "pipeline_over_floor_cpu",
        "sql_stages_over_floor",
        "dbt_over_sql_floor",
        "incremental_s",
        "incremental_over_full",
        "incremental_over_full_cpu",
        "gates_share",
        "clv_fit_s",
        "scaling_2x",
        "scaling_2x_cpu",
        "peak_rss_mb",
    ):
        verdict = targets.get(key)
        value = document.get(key)
        digits = 3 if isinstance(value, float) and abs(value) < 100 else 1
        lines.append(
            f"| `{key}` | {_fmt(value, digits)} | "
            f"{verdict['target'] if verdict else ''} | {_met_text(verdict)} |"
        )
    for size in document["sizes"]:
        stopped = ""
        if "stopped_in" in size:
            stopped = f" **Stopped in the {size['stopped_in']}**"
            stopped += f" ({size['error']})." if size.get("error") else " (time limit)."
        full = size.get("full")
        if not full:
            lines += ["", f"{size['customers']:,} customers:{stopped}"]
            continue
        lines += [
            "",
            f"Full build at {size['customers']:,} customers ({_rows_text(size)}): "
            f"{_fmt(full['pipeline_s'], 1)} s wall, {_fmt(full.get('cpu_s'), 1)} s CPU, "
            f"peak {_fmt(full['peak_rss_mb'], 0)} MiB, load average "
            f"{_fmt(full.get('load_before'))} before and {_fmt(full.get('load_after'))} after."
            + stopped,
            "",
            "| stage | wall s | share | CPU s | peak MiB |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in full["stages"]:
            share = "" if row["share"] is None else f"{row['share']:.1%}"
            lines.append(
                f"| {row['stage']} | {_fmt(row['s'], 1)} | {share} | "
                f"{_fmt(row.get('cpu_s'), 1)} | {_fmt(row['peak_rss_mb'], 0)} |"
            )
        if size.get("incremental"):
            lines += ["", _incremental_text(size["incremental"])]
    return "\n".join(lines) + "\n"


def _incremental_text(run: dict[str, Any]) -> str:
    stages = ", ".join(f"{r['stage']} {r['s']:.1f} s" for r in run.get("stages", []) if r["s"])
    text = (
        f"Incremental day {run.get('day')} ({_fmt(run.get('orders'))} orders): "
        f"{_fmt(run.get('pipeline_s'), 1)} s wall, {_fmt(run.get('cpu_s'), 1)} s CPU ({stages})."
    )
    if not finished(run):
        under_way = ", ".join(run.get("stopped_in_steps") or []) or "unknown"
        text += f" Stopped before the end, in: {under_way}."
    return text


def _met_text(verdict: dict[str, Any] | None) -> str:
    if verdict is None:
        return ""
    if verdict["met"] is None:
        return "not measured" if verdict["value"] is None else f"n/a: {verdict['note']}"
    return "yes" if verdict["met"] else "**no**"


def _rows_text(size: dict[str, Any]) -> str:
    rows = size.get("source_rows") or {}
    return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in rows.items()) or "rows unknown"


def update_markdown(path: Path, block: str) -> None:
    """Replace the generated block between the markers of `path` (append it when missing)."""
    text = path.read_text() if path.exists() else ""
    generated = f"{MARKDOWN_START}\n{block}{MARKDOWN_END}"
    if MARKDOWN_START in text and MARKDOWN_END in text:
        before, rest = text.split(MARKDOWN_START, 1)
        after = rest.split(MARKDOWN_END, 1)[1]
        text = before + generated + after
    else:
        text = (text.rstrip() + "\n\n" if text else "") + generated + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.report RESULTS.json [--markdown FILE]`: render a results file again."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--markdown", type=Path, default=None, help="update this file's block")
    args = parser.parse_args(argv)
    block = markdown(json.loads(args.results.read_text()))
    if args.markdown:
        update_markdown(args.markdown, block)
    else:
        print(block, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
