"""The fault matrix of issue #26 (`make faults`, not part of `make test`): each fault on its own
against a clean baseline of a small demo company, through the real loaders (and dbt for the
faults whose effect shows in staging), then the figures: faults tried, survived cleanly, rows
lost, rows duplicated, unclear messages.

A fault survives cleanly when no row is lost or duplicated (every record of the touched file is
in raw or named in raw.rejected_rows, and staging holds the baseline's rows) and every message
names its file and line. Row counts and content hashes are taken of every raw table (without
load times and archive paths) and, for the dbt faults, of the staging views they touch.

    python -m bench.faults [--customers 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import duckdb

from bench.fault_common import LINE, MAPPING_FILE, Outcome, dbt, load_all, table_sums
from bench.fault_runs import (
    run_bi_reader,
    run_full_disk,
    run_killed_run,
    run_landed_bad_row,
)
from demo.generate import generate
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping

# -- the faults: each edits a copy of the landing folder (and may return a mapping file) --------


def _orders(landing: Path) -> Path:
    return next((landing / "crm").glob("salesforce_orders*.csv"))


def _stray_quote(at: float) -> Callable[[Path], None]:
    def inject(landing: Path) -> None:
        path = _orders(landing)
        lines = path.read_text(encoding="utf-8").splitlines()
        i = max(1, min(len(lines) - 1, int(len(lines) * at)))
        fields = lines[i].split(",")
        fields[1] = '"' + fields[1].strip('"')  # an opening quote that never closes
        lines[i] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return inject


def _latin1_line_2(landing: Path) -> None:
    path = next((landing / "crm").glob("salesforce_accounts*.csv"))
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[1] = "Caf\u00e9 M\u00fcller"
    lines[1] = ",".join(fields)
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1", errors="replace"))


def _duplicate_id(landing: Path) -> None:
    path = _orders(landing)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])  # the same order twice in one file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _missing_margin(landing: Path) -> None:
    path = _orders(landing)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("Margin__c")
    rows = [",".join(f for j, f in enumerate(line.split(",")) if j != drop) for line in lines]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


# Where a run is killed: during ingest, in the raw gate, inside dbt (step keys of the selection).
KILL_IN_STEPS = ("raw__salesforce_orders", "raw__salesforce_orders_ge_raw_crm", "dbt_staging")

FAULTS: dict[str, Callable[[Path], None]] = {
    "stray quote near the start": _stray_quote(0.02),
    "stray quote in the middle": _stray_quote(0.5),
    "stray quote near the end": _stray_quote(0.98),
    "Latin-1 byte on line 2": _latin1_line_2,
    "duplicate id within one file": _duplicate_id,
    "missing optional column (Margin__c)": _missing_margin,
}


def run_load_fault(name: str, inject, root: Path, clean_landing: Path, baseline: dict) -> Outcome:
    landing = root / "landing"
    shutil.copytree(clean_landing, landing)
    inject(landing)
    outcome = Outcome(name)
    with duckdb.connect(str(root / "rox.duckdb")) as con:
        reasons = load_all(con, landing, root / "archive")
        sums = table_sums(con, ("raw",))
        rejected = con.execute(
            "select file_name, line_number, reason from raw.rejected_rows"
        ).fetchall()
        missing = con.execute(
            "select string_agg(missing_columns, ', ') from raw.load_log "
            "where missing_columns is not null and missing_columns <> '[]'"
        ).fetchone()[0]
    named = len({(f, line) for f, line, _ in rejected if line is not None})
    outcome.unclear += [r for r in reasons if not LINE.search(r)]
    outcome.unclear += [r for _, line, r in rejected if line is None]
    for table in ("raw.salesforce_orders", "raw.salesforce_accounts"):
        have, want = sums.get(table, (0, ""))[0], baseline[table][0]
        if name.startswith("duplicate"):
            want += 1  # raw keeps both lines, as exported; staging keeps one (checked below)
        outcome.rows_duplicated += max(0, have - want)
        failed_rows = want if any(table.split(".")[1] in r for r in reasons) else 0
        outcome.rows_lost += max(0, want - have - named - failed_rows)
    if name.startswith("Latin-1") and not any("line 2" in r for r in reasons):
        outcome.unclear.append(f"Latin-1 on line 2 not named: {reasons}")
    if name.startswith(("duplicate", "missing")):
        dbt(root / "rox.duckdb", "run", "--select", "stg_salesforce__orders")
        with duckdb.connect(str(root / "rox.duckdb"), read_only=True) as con:
            staged = con.execute("select count(*) from staging.stg_salesforce__orders").fetchone()
            zero = con.execute(
                "select count(*) from staging.stg_salesforce__orders where margin_eur = 0"
            ).fetchone()[0]
        outcome.rows_duplicated += max(0, staged[0] - baseline["staged_orders"])
        outcome.rows_lost += max(0, baseline["staged_orders"] - staged[0])
        if name.startswith("missing"):
            outcome.note = f"missing_columns logged: {missing}; zero margins in staging: {zero}"
            if not missing or zero:
                outcome.unclear.append("missing Margin__c not logged, or read as 0")
    shown = reasons or sorted({r for _, _, r in rejected})
    outcome.note = outcome.note or "; ".join(r.replace("|", "/") for r in shown)[:160]
    return outcome


def run_mapping_typo(root: Path, clean_landing: Path) -> Outcome:
    """A mistyped question key (`Q01` for the NPS question `Q1`): the answers stay in raw and are
    listed as unmapped; once the mapping is fixed the next build scores them all, without a file
    re-loaded."""
    outcome = Outcome("survey-mapping typo (NPS question key mistyped)")
    landing = root / "landing"
    shutil.copytree(clean_landing, landing)
    typo = root / "survey_mapping.yml"
    fixed = MAPPING_FILE.read_text()
    typo.write_text(fixed.replace("\n      Q1: nps\n", "\n      Q01: nps\n", 1))
    database = root / "rox.duckdb"
    with duckdb.connect(str(database)) as con:
        load_all(con, landing, root / "archive", typo)
    models = ("+stg_surveys__answers", "+stg_surveys__unmapped_questions")
    dbt(database, "run", "--select", *models)
    listed, scored_before = _nps_answers(database)
    with duckdb.connect(str(database)) as con:  # the fix: the next run lands the mapping
        report = load_survey_files(
            con, landing, root / "archive", load_survey_mapping(MAPPING_FILE)
        )
    dbt(database, "run", "--select", *models)
    unmapped, scored = _nps_answers(database)
    outcome.note = (
        f"with the typo: {listed} answers of relationship_nps/Q1 listed as unmapped, "
        f"{scored_before} NPS answers scored; after the fix: {scored} scored, {unmapped} "
        f"unmapped, {report.rows_loaded} rows re-loaded"
    )
    if not listed or scored_before or scored != listed or unmapped or report.rows_loaded:
        outcome.rows_lost = abs(listed - scored) or unmapped or int(not listed)
    return outcome


def _nps_answers(database: Path) -> tuple[int, int]:
    """Answers of relationship_nps's Q1 listed as unmapped, and NPS answers scored."""
    with duckdb.connect(str(database), read_only=True) as con:
        unmapped = con.execute(
            "select coalesce(sum(answers), 0) from staging.stg_surveys__unmapped_questions "
            "where survey_id = 'relationship_nps' and question_id = 'Q1'"
        ).fetchone()[0]
        scored = con.execute(
            "select count(*) from staging.stg_surveys__answers "
            "where survey_id = 'relationship_nps' and metric = 'nps'"
        ).fetchone()[0]
    return int(unmapped), int(scored)


def run_beyond_the_loaders(work: Path, clean_landing: Path, database: Path, baseline: dict):
    """The faults that need the raw gate, a publish or real Dagster runs (`bench.fault_runs`)."""
    runs = {
        "landed": partial(run_landed_bad_row, clean_landing=clean_landing, baseline=baseline),
        "bi_reader": partial(run_bi_reader, clean_database=database),
        "full_disk": partial(run_full_disk, clean_landing=clean_landing, baseline=baseline),
        **{
            f"killed_{i}": partial(
                run_killed_run, clean_landing=clean_landing, baseline=baseline, step=step
            )
            for i, step in enumerate(KILL_IN_STEPS)
        },
    }
    outcomes = []
    for name, run in runs.items():
        root = work / name
        root.mkdir()
        outcomes.append(run(root))
        print(f"{outcomes[-1].fault}: {'clean' if outcomes[-1].clean else 'NOT clean'}", flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rox-faults-") as tmp:
        work = Path(tmp)
        clean_landing = work / "clean" / "landing"
        generate(args.customers, args.seed, clean_landing)
        for folder in ("demo_api", "reviews"):
            shutil.rmtree(clean_landing / folder, ignore_errors=True)
        database = work / "clean" / "rox.duckdb"
        with duckdb.connect(str(database)) as con:
            load_all(con, clean_landing, work / "clean" / "archive")
            baseline = table_sums(con, ("raw",))
        dbt(database, "run", "--select", "stg_salesforce__orders")
        with duckdb.connect(str(database), read_only=True) as con:
            baseline["staged_orders"] = con.execute(
                "select count(*) from staging.stg_salesforce__orders"
            ).fetchone()
        baseline["staged_orders"] = baseline["staged_orders"][0]
        outcomes = []
        for i, (name, inject) in enumerate(FAULTS.items()):
            root = work / f"fault{i}"
            root.mkdir()
            outcomes.append(run_load_fault(name, inject, root, clean_landing, baseline))
            print(f"{name}: {'clean' if outcomes[-1].clean else 'NOT clean'}", flush=True)
        root = work / "typo"
        root.mkdir()
        outcomes.append(run_mapping_typo(root, clean_landing))
        print(f"{outcomes[-1].fault}: {'clean' if outcomes[-1].clean else 'NOT clean'}", flush=True)
        outcomes += run_beyond_the_loaders(work, clean_landing, database, baseline)
    print(f"\nfault matrix, {args.customers} customers, seed {args.seed}, {dt.date.today()}")
    print("| fault | survived cleanly | rows lost | rows duplicated | unclear messages | note |")
    print("| --- | --- | --- | --- | --- | --- |")
    for o in outcomes:
        clean = "yes" if o.clean else "no"
        print(
            f"| {o.fault} | {clean} | {o.rows_lost} | {o.rows_duplicated} | "
            f"{len(o.unclear)} | {o.note} |"
        )
    print(
        f"\nfaults tried: {len(outcomes)}; survived cleanly: {sum(o.clean for o in outcomes)}; "
        f"rows lost: {sum(o.rows_lost for o in outcomes)}; rows duplicated: "
        f"{sum(o.rows_duplicated for o in outcomes)}; unclear messages: "
        f"{sum(len(o.unclear) for o in outcomes)}"
    )
    for o in outcomes:
        for message in o.unclear:
            print(f"unclear ({o.fault}): {message[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
