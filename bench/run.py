"""Benchmark the warehouse at scale against the raw-SQL floor (issue #13; `make bench`).

    python -m bench.run --customers 1000000 [--seed 42] [--work-dir DIR] [--no-scaling]

The code, dbt project and configuration are copied to the work dir first and every child process
runs that snapshot, with its own dbt `target/`: edits to the checkout and other processes' dbt
parses during a long run do not disturb it. Then for N customers (and 2N, unless --no-scaling),
in a fresh folder under the work dir:
1. generates the demo company (`demo.generate`), timed on its own;
2. runs the full daily materialisation in a child process (`bench.pipeline`), with the demo
   review API on loopback, and times every step from Dagster's event log while sampling the
   memory of the child and its dbt processes;
3. measures the floor (`bench.floor`) on a copy of the built warehouse: the landed files read by
   DuckDB, then the compiled dbt SQL run directly in one connection;
4. (N only) lands one more day of orders and materialises that day's partition: ingest, its
   gate, the staging orders and the incremental `int_orders_daily` (the day as dbt `--vars`).
Writes bench/results/latest.json and a dated copy, and the generated block of BENCHMARKS.md.
A time limit (or SIGTERM) stops the phase under way and still writes what was measured. Each run
gets the generated company's run config (its addressable market grows with its size; see
`demo.run.run_config`), recorded in the JSON as `run_config`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.incremental import write_next_day_orders
from bench.sampler import TreeSampler, peak_mb
from common.settings import REPO_ROOT
from demo.run import last_day, run_config

DEFAULT_CUSTOMERS = 1_000_000
DEFAULT_SEED = 42
SAMPLE_INTERVAL_S = 0.2
RESULTS_DIR = REPO_ROOT / "bench" / "results"
BENCHMARKS_MD = REPO_ROOT / "BENCHMARKS.md"
# The daily materialisation of one new day of orders: its raw table (and gate), the staging
# view over it and the daily facts built incrementally by date (dbt tag `daily`).
INCREMENTAL_ASSETS = (
    "raw/salesforce_orders",
    "staging/stg_salesforce__orders",
    "intermediate/int_orders_daily",
)
DAGSTER_YAML = "telemetry:\n  enabled: false\n"
# Not copied into the snapshot: environments, generated data, build output, results.
SNAPSHOT_SKIP_PATHS = {
    ".git", ".venv", ".dagster", "data", "warehouse", "logs", "test-artifacts", "spark-warehouse",
    "bench/results", "dbt_project/target", "dbt_project/logs", "dbt_project/dbt_packages",
}  # fmt: skip
SNAPSHOT_SKIP_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


class Stopped(Exception):
    """The time limit passed or the benchmark was asked to stop (SIGTERM)."""


class Deadline:
    """When the benchmark must stop; SIGTERM moves it to now."""

    def __init__(self, limit_s: float | None) -> None:
        self.at = time.monotonic() + limit_s if limit_s else None
        self.signalled = False

    def stop_now(self, *_: object) -> None:
        self.signalled = True

    def passed(self) -> bool:
        return self.signalled or (self.at is not None and time.monotonic() >= self.at)


# -- child processes ------------------------------------------------------------------------


def run_measured(
    command: list[str], env: dict[str, str], log: Path, deadline: Deadline, cwd: Path
) -> dict[str, Any]:
    """Run `command` with its output in `log`, sampling its process tree.

    Returns wall and CPU time, exit code, peak RSS, the load average before and after, and the
    samples; on the deadline the child's process group is stopped and `stopped` is True.
    """
    started = time.time()
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu_s()
    with log.open("w") as out:
        child = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        stopped = False
        with TreeSampler(child.pid, SAMPLE_INTERVAL_S) as sampler:
            while child.poll() is None:
                if deadline.passed():
                    stopped = True
                    _stop_group(child)
                    break
                time.sleep(0.2)
    return {
        "s": round(time.time() - started, 3),
        "cpu_s": round(_children_cpu_s() - cpu_before, 2),
        "returncode": child.returncode,
        "stopped": stopped,
        "started_at": started,
        "peak_rss_mb": peak_mb(sampler.samples),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "samples": sampler.samples,
    }


def _children_cpu_s() -> float:
    """User + system time of every child process this process has waited for (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stop_group(child: subprocess.Popen) -> None:
    """SIGTERM to the child's process group (it and its dbt processes), SIGKILL after 15 s."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    except ProcessLookupError:
        child.wait()


def snapshot_checkout(dest: Path, work_dir: Path) -> Path:
    """Copy the code, dbt project and configuration of this checkout to `dest`."""
    skip = set(SNAPSHOT_SKIP_PATHS)
    if work_dir.resolve().is_relative_to(REPO_ROOT):
        skip.add(work_dir.resolve().relative_to(REPO_ROOT).as_posix())

    def ignore(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).resolve().relative_to(REPO_ROOT)
        return {
            name
            for name in names
            if name in SNAPSHOT_SKIP_NAMES
            or name.endswith(".egg-info")
            or (relative / name).as_posix() in skip
        }

    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(REPO_ROOT, dest, ignore=ignore, symlinks=True)
    return dest


@dataclass(frozen=True)
class Workspace:
    """One size's folder, and the snapshot of the code its child processes run."""

    root: Path
    code: Path

    @property
    def dbt_dir(self) -> Path:
        return self.code / "dbt_project"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def env(self) -> dict[str, str]:
        """Every path inside `root`, the snapshot first on the Python path, telemetry off."""
        home = self.root / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text(DAGSTER_YAML)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROX_REVIEW_API")}
        for name in ("ROX_PSEUDONYM_SALT", "ROX_PUBLISHED_WAREHOUSE", "ROX_PARTITIONS_START"):
            env.pop(name, None)
        env.update(
            {
                "ROX_WAREHOUSE": str(self.root / "warehouse" / "rox.duckdb"),
                "ROX_LANDING_DIR": str(self.landing),
                "ROX_ARCHIVE_DIR": str(self.root / "archive"),
                "ROX_RAW_PARQUET_DIR": str(self.root / "warehouse" / "parquet" / "raw"),
                "ROX_DBT_TARGET": "duckdb",
                "DAGSTER_HOME": str(home),
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "OPENBLAS_NUM_THREADS": env.get("OPENBLAS_NUM_THREADS", "1"),
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(self.code), env.get("PYTHONPATH")) if p
                ),
            }
        )
        return env

    def python(
        self, module: str, args: list[str], env: dict[str, str], log: str, deadline: Deadline
    ) -> dict[str, Any]:
        """`python -m module args` of the snapshot, measured."""
        command = [sys.executable, "-m", module, *args]
        return run_measured(command, env, self.root / log, deadline, self.code)

    def dbt(
        self, args: list[str], env: dict[str, str], log: str, deadline: Deadline
    ) -> dict[str, Any]:
        """`dbt args` in the snapshot's dbt project, measured."""
        command = [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "."]
        return run_measured(command, env, self.root / log, deadline, self.dbt_dir)


class _SharedReviews(list):
    """A review list whose deep copy is a shallow one.

    demo/review_api.py deep-copies a business unit's whole review list on every page it serves,
    which makes a full sync quadratic in the reviews (about 90 minutes of copying at 1M
    customers). The server only reads the reviews, so the benchmark lets it share them: the
    pipeline is measured, not the demo server.
    """

    def __deepcopy__(self, memo: dict) -> list:
        return list(self)


@contextmanager
def review_api(landing: Path) -> Iterator[dict[str, str]]:
    """The demo review API on loopback with the generated reviews; yields the env to reach it.

    No rate limiting: its Retry-After sleeps would time the vendor, not the pipeline.
    """
    from demo.review_api import ReviewApiServer

    reviews = json.loads((landing / "demo_api" / "trustpilot_reviews.json").read_text())
    api_key = secrets.token_urlsafe(24)
    server = ReviewApiServer(reviews, api_key=api_key)
    server._reviews = {unit: _SharedReviews(rows) for unit, rows in server._reviews.items()}
    with server:
        yield {
            "ROX_REVIEW_API_URL": server.url,
            "ROX_REVIEW_API_KEY": api_key,
            "ROX_REVIEW_BUSINESS_UNITS": ",".join(reviews),
        }


def materialise(
    space: Workspace,
    name: str,
    env: dict[str, str],
    deadline: Deadline,
    partition: str,
    select: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One materialisation of a daily partition in a child process, summarised per stage
    (partial when stopped)."""
    events_file = space.root / f"{name}_events.json"
    args = ["--out", str(events_file), "--partition", partition]
    if select:
        args += ["--select", *select]
    measured = space.python("bench.pipeline", args, env, f"{name}.log", deadline)
    if events_file.exists():
        run = json.loads(events_file.read_text())
    else:
        run = _events_from_instance(Path(env["DAGSTER_HOME"]), measured["started_at"])
    summary = report.summarise_run(run, measured["samples"], SAMPLE_INTERVAL_S)
    summary["peak_rss_mb"] = max(summary["peak_rss_mb"], measured["peak_rss_mb"])
    for key in ("cpu_s", "load_before", "load_after", "stopped"):
        summary[key] = measured[key]
    summary["log"] = str(space.root / f"{name}.log")
    summary["dbt_invocations"], summary["dbt_full_parses"] = dbt_parses(
        space.dbt_dir / "target", run.get("run_id")
    )
    if measured["stopped"]:
        summary["stopped_in_steps"] = _steps_under_way(run["events"])
    return summary


def dbt_parses(target: Path, run_id: str | None) -> tuple[int, int]:
    """dbt invocations of a run and how many of them re-parsed the whole project.

    Every dbt step of a run logs to `target/run-<run id>/dbt.log` (JSON lines,
    orchestration/transform/invocation.py); dbt logs `UnableToPartialParse` when it cannot reuse
    the partial parse: when the vars, the `--target` or the profile (the warehouse path) differ
    from those of the parse it starts from.
    """
    log = target / f"run-{run_id}" / "dbt.log" if run_id else None
    if log is None or not log.exists():
        return 0, 0
    names = [_event_name(line) for line in log.read_text(errors="replace").splitlines()]
    return names.count("MainReportVersion"), names.count("UnableToPartialParse")


def _event_name(line: str) -> str | None:
    try:
        return json.loads(line)["info"]["name"]
    except (ValueError, KeyError, TypeError):
        return None


def _events_from_instance(home: Path, started_at: float) -> dict[str, Any]:
    """The events of the newest run stored in `home`: what a stopped child had logged so far."""
    import dagster as dg

    from bench.pipeline import event_record

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(limit=1)
        logs = instance.all_logs(runs[0].run_id) if runs else []
        events = [r for r in map(event_record, logs) if r]
    first = min((e["t"] for e in events), default=started_at)
    return {
        "success": False,
        "run_id": runs[0].run_id if runs else None,
        "process_started_at": started_at,
        "definitions_loaded_at": first,
        "finished_at": time.time(),
        "events": events,
    }


def _steps_under_way(events: list[dict[str, Any]]) -> list[str]:
    steps = report.step_timeline(events)
    return sorted(k for k, v in steps.items() if v["start"] is not None and v["end"] is None)


# -- phases ---------------------------------------------------------------------------------


def generate(space: Workspace, customers: int, seed: int, deadline: Deadline) -> dict[str, Any]:
    args = ["--customers", str(customers), "--seed", str(seed), "--landing-dir", str(space.landing)]
    measured = space.python("demo.generate", args, space.env(), "generate.log", deadline)
    if measured["stopped"]:
        raise Stopped("generate")
    if measured["returncode"]:
        raise RuntimeError(f"demo.generate failed: see {space.root / 'generate.log'}")
    return {k: measured[k] for k in ("s", "cpu_s", "peak_rss_mb")}


def source_rows(landing: Path) -> dict[str, int]:
    """Rows generated per kind of source, from the ground truth's file list."""
    files = json.loads((landing / "ground_truth.json").read_text())["files"]

    def rows(*prefixes: str) -> int:
        return sum(n for name, n in files.items() if name.startswith(prefixes))

    return {
        "accounts": rows("crm/salesforce_accounts"),
        "orders": rows("crm/salesforce_orders"),
        "tickets": rows("crm/zendesk_tickets"),
        "survey_responses": rows("surveys/"),
        "reviews": rows("reviews/", "demo_api/"),
    }


def prepare_manifest(space: Workspace, env: dict[str, str], deadline: Deadline) -> float:
    """`dbt parse` of the snapshot with this size's environment, as `make manifest` does.

    dbt re-parses the whole project when the profile (the warehouse path in it), the vars or the
    `--target` argument differ from the last parse's. dagster-dbt always passes `--target`, so
    the parse does too: then every dbt step without vars reuses it.
    """
    args = ["parse", "--quiet", "--target", env["ROX_DBT_TARGET"]]
    measured = space.dbt(args, env, "dbt_parse.log", deadline)
    if measured["stopped"]:
        raise Stopped("dbt parse")
    if measured["returncode"]:
        raise RuntimeError(f"dbt parse failed: see {space.root / 'dbt_parse.log'}")
    return measured["s"]


def measure_floor(space: Workspace, env: dict[str, str], deadline: Deadline) -> dict[str, Any]:
    """Copy the built warehouse, compile the project against it, run the floor on the copy."""
    floor_dir = space.root / "floor"
    floor_dir.mkdir(exist_ok=True)
    # The same file name: the compiled SQL names the database after it ("rox").
    warehouse = Path(env["ROX_WAREHOUSE"])
    copy = floor_dir / warehouse.name
    shutil.copyfile(warehouse, copy)
    floor_env = {**env, "ROX_WAREHOUSE": str(copy)}
    target = space.root / "dbt_target_floor"
    compile_args = ["compile", "--full-refresh", "--quiet", "--target-path", str(target)]
    compiled = space.dbt(compile_args, floor_env, "dbt_compile.log", deadline)
    if compiled["stopped"]:
        raise Stopped("floor compile")
    if compiled["returncode"]:
        raise RuntimeError(f"dbt compile failed: see {space.root / 'dbt_compile.log'}")
    out = space.root / "floor.json"
    args = [
        "--manifest", str(target / "manifest.json"), "--database", str(copy),
        "--landing", str(space.landing), "--out", str(out),
    ]  # fmt: skip
    measured = space.python("bench.floor", args, floor_env, "floor.log", deadline)
    if measured["stopped"]:
        raise Stopped("floor")
    if measured["returncode"]:
        raise RuntimeError(f"the floor failed: see {space.root / 'floor.log'}")
    figures = json.loads(out.read_text())
    copy.unlink()
    return {
        **{k: v for k, v in figures.items() if k not in ("started_at", "finished_at")},
        "compile_s": compiled["s"],
        "process_s": measured["s"],
        "cpu_s": measured["cpu_s"],
        "peak_rss_mb": measured["peak_rss_mb"],
        "load_before": measured["load_before"],
    }


def incremental_day(space: Workspace, env: dict[str, str], deadline: Deadline) -> dict[str, Any]:
    """One more day of orders, materialised as the schedule does: that day's partition of the
    orders' raw table (and its gate), staging view and daily facts (dbt `--vars` of the day)."""
    path, day, rows = write_next_day_orders(space.landing / "crm")
    summary = materialise(space, "incremental", env, deadline, str(day), INCREMENTAL_ASSETS)
    summary.update({"day": str(day), "orders": rows, "file": path.name})
    return summary


def bench_size(
    space: Workspace, customers: int, seed: int, deadline: Deadline, *, incremental: bool
) -> dict[str, Any]:
    """Every phase at one size; a stop leaves what was measured, with `stopped_in` set."""
    size: dict[str, Any] = {"customers": customers, "seed": seed, "work_dir": str(space.root)}
    phase = "generate"
    try:
        _say(f"{customers:,} customers: generating")
        size["generate"] = generate(space, customers, seed, deadline)
        size["source_rows"] = source_rows(space.landing)
        size["run_config"] = run_config(space.landing)
        env = space.env()
        phase = "dbt parse"
        size["dbt_parse_s"] = prepare_manifest(space, env, deadline)
        phase = "full build"
        _say(f"{customers:,} customers: full build ({size['generate']['s']:.0f} s to generate)")
        # The last day's partition: a first build of the daily facts covers every date anyway.
        partition = last_day(space.landing)
        with review_api(space.landing) as api_env:
            size["full"] = materialise(space, "full", {**env, **api_env}, deadline, partition)
        size["full"]["partition"] = partition
        if size["full"]["stopped"]:
            raise Stopped(phase)
        if not size["full"]["success"]:
            failed = size["full"]["failed_steps"]
            raise RuntimeError(f"the full build failed ({failed}): see {size['full']['log']}")
        phase = "floor"
        _say(f"{customers:,} customers: floor (full build {size['full']['pipeline_s']:.0f} s)")
        size["floor"] = measure_floor(space, env, deadline)
        if incremental:
            phase = "incremental day"
            _say(f"{customers:,} customers: incremental day")
            size["incremental"] = incremental_day(space, env, deadline)
            if size["incremental"]["stopped"]:
                raise Stopped(phase)
    except Stopped:
        size["stopped_in"] = phase
    except Exception as err:  # recorded, so the figures measured so far are still written
        size["stopped_in"] = phase
        size["error"] = f"{type(err).__name__}: {err}"
    return size


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def _complete(size: dict[str, Any]) -> bool:
    return "stopped_in" not in size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "rox-bench",
        help="generated data, warehouses and logs (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--no-scaling", action="store_true", help="skip the run at 2N")
    parser.add_argument("--time-limit-s", type=float, default=None, help="stop and write then")
    parser.add_argument("--keep", action="store_true", help="keep each size's data afterwards")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--markdown", type=Path, default=BENCHMARKS_MD,
        help="file whose generated block gets the run's table (default: %(default)s)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    deadline = Deadline(args.time_limit_s)
    signal.signal(signal.SIGTERM, deadline.stop_now)
    machine = report.machine()
    command = ["python", "-m", "bench.run", *(argv if argv is not None else sys.argv[1:])]
    counts = [args.customers] if args.no_scaling else [args.customers, 2 * args.customers]
    code = snapshot_checkout(args.work_dir / "checkout", args.work_dir)
    sizes: list[dict[str, Any]] = []
    for number, customers in enumerate(counts):
        space = Workspace(args.work_dir / f"customers_{customers}", code)
        shutil.rmtree(space.root, ignore_errors=True)
        space.root.mkdir(parents=True)
        size = bench_size(space, customers, args.seed, deadline, incremental=number == 0)
        sizes.append(size)
        if not args.keep:
            for folder in ("landing", "archive", "warehouse"):
                shutil.rmtree(space.root / folder, ignore_errors=True)
        if not _complete(size) or "full" not in size:
            break

    if "full" not in sizes[0]:
        _say(f"stopped before the full build: {sizes[0].get('error', 'time limit')}")
        return 1
    document = report.result_document(sizes, machine, command)
    document["complete"] = all(_complete(s) for s in sizes) and len(sizes) == len(counts)
    latest, dated = report.write_results(document, args.results_dir)
    report.update_markdown(args.markdown, report.markdown(document))
    _say(f"results: {latest} and {dated}; table in {args.markdown}")
    print(json.dumps({k: document[k] for k in (*report.REQUIRED_KEYS, "targets_missed")}))
    return 0 if document["complete"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
