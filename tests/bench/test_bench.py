"""The benchmark's helpers on made-up events, a tiny manifest and tiny files (nothing is timed)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import duckdb
import pytest

from bench import report
from bench.floor import floor_plan, run_ingest_floor, run_sql_floor
from bench.incremental import write_next_day_orders
from bench.run import dbt_parses
from bench.sampler import Sample, cpu_seconds, peak_mb, sample_tree, tree_pids

T0 = 1_800_000_000.0


def _step(key: str, start: float, end: float, *extra: dict) -> list[dict]:
    return [
        {"t": T0 + start, "type": "STEP_START", "step": key},
        *({"t": T0 + start, "step": key, **e} for e in extra),
        {"t": T0 + end, "type": "STEP_SUCCESS", "step": key},
    ]


def _run() -> dict:
    """A full build of 100 s: ingest 10, a gate 5, dbt staging 20 (2 s of tests), CLV 30."""
    materialized = {"type": "ASSET_MATERIALIZATION", "asset": "x"}
    events = [
        {"t": T0, "type": "RUN_START"},
        *_step("raw__salesforce_orders", 0, 10, materialized),
        *_step(
            "raw__salesforce_orders_ge_raw_crm",
            10,
            15,
            {"type": "ASSET_CHECK_EVALUATION", "check": "ge_raw_crm", "passed": True},
        ),
        *_step(
            "dbt_staging",
            15,
            35,
            {"type": "ASSET_MATERIALIZATION", "unique_id": "model.rox.a", "dbt_s": 3.0},
            {"type": "ASSET_CHECK_EVALUATION", "unique_id": "test.rox.t1", "dbt_s": 1.5},
            {"type": "ASSET_OBSERVATION", "unique_id": "test.rox.t2", "dbt_s": 0.5},
        ),
        *_step("dbt_marts_2", 35, 60, materialized),
        *_step("clv_marts", 60, 90, materialized),
        *_step("published__marts", 90, 99, materialized),
        {"t": T0 + 99, "type": "STEP_SKIPPED", "step": "report__cx_report"},
        {"t": T0 + 100, "type": "RUN_SUCCESS"},
    ]
    return {
        "success": True,
        "process_started_at": T0 - 5,
        "definitions_loaded_at": T0 - 1,
        "finished_at": T0 + 101,
        "events": events,
    }


SAMPLES = [
    Sample(T0 + t, kib, cpu)
    for t, kib, cpu in [
        (1, 100_000, 1.0),
        (12, 300_000, 4.0),
        (70, 2_048_000, 50.0),
        (95, 500, 51.0),
    ]
]


def test_a_run_is_summarised_per_stage_with_gates_and_memory() -> None:
    summary = report.summarise_run(_run(), SAMPLES)

    assert summary["pipeline_s"] == 100.0
    assert summary["process_s"] == 106.0
    stages = {row["stage"]: row for row in summary["stages"]}
    assert list(stages) == ["ingest", "gates", "dbt_staging", "dbt_marts", "clv_fit", "publish"]
    assert stages["dbt_marts"]["steps"] == {"dbt_marts_2": 25.0}
    assert stages["clv_fit"]["s"] == summary["clv_fit_s"] == 30.0
    assert stages["clv_fit"]["peak_rss_mb"] == 2000.0
    # CPU between the last samples at or before the step's start and end: 51 - 4.
    assert stages["clv_fit"]["cpu_s"] == 46.0
    assert stages["gates"]["peak_rss_mb"] == pytest.approx(300_000 / 1024, abs=0.1)
    # Gates: the GE step plus dbt's own test time inside the dbt step.
    assert summary["gate_steps_s"] == 5.0
    assert summary["dbt_tests_s"] == 2.0
    assert summary["gates_share"] == pytest.approx(0.07)
    assert summary["dbt_models_s"] == 3.0
    assert summary["sql_stages_s"] == 60.0
    assert summary["peak_rss_mb"] == 2000.0
    assert summary["success"] and not summary["failed_steps"]
    assert summary["skipped_steps"] == ["report__cx_report"]
    assert stages["gates"]["steps_peak_rss_mb"] == {"raw__salesforce_orders_ge_raw_crm": 293.0}


def test_a_retried_step_counts_from_its_first_start_and_a_failure_is_reported() -> None:
    events = [
        {"t": T0, "type": "STEP_START", "step": "raw__x"},
        {"t": T0 + 2, "type": "STEP_UP_FOR_RETRY", "step": "raw__x"},
        {"t": T0 + 5, "type": "STEP_RESTARTED", "step": "raw__x"},
        {"t": T0 + 7, "type": "STEP_FAILURE", "step": "raw__x"},
    ]
    steps = report.step_timeline(events)
    assert steps["raw__x"]["s"] == 7.0 and steps["raw__x"]["status"] == "failure"
    summary = report.summarise_run(
        {"success": True, "process_started_at": T0, "definitions_loaded_at": T0,
         "finished_at": T0 + 8, "events": events},
        [],
    )  # fmt: skip
    assert summary["pipeline_s"] == 7.0  # no run events: first start to last end
    assert not summary["success"] and summary["failed_steps"] == ["raw__x"]


def _size(customers: int, pipeline_s: float, peak: float = 1000.0) -> dict:
    full = report.summarise_run(_run(), SAMPLES)
    full["pipeline_s"], full["peak_rss_mb"] = pipeline_s, peak
    return {
        "customers": customers,
        "generate": {"s": 4.0, "peak_rss_mb": 300.0},
        "source_rows": {"orders": 50, "reviews": 5},
        "full": full,
        "floor": {"ingest_floor_s": 10.0, "sql_floor_s": 40.0},
        "incremental": {"pipeline_s": pipeline_s * 0.2, "success": True},
    }


def test_targets_are_met_missed_or_not_measured() -> None:
    sizes = [_size(1000, 100.0), _size(2000, 230.0)]
    document = report.result_document(sizes, report.machine(), ["python", "-m", "bench.run"])

    assert set(report.REQUIRED_KEYS) <= set(document)
    assert document["floor_s"] == 50.0
    assert document["pipeline_over_floor"] == 2.0
    assert document["scaling_2x"] == 2.3
    targets = document["targets"]
    assert targets["pipeline_over_floor"]["met"] is False
    assert targets["incremental_over_full"]["met"] is False
    assert targets["gates_share"]["met"] is True
    assert targets["scaling_2x"]["met"] is False
    # Peak memory below 4 GB at 1,000 customers says nothing about 1M customers...
    assert targets["peak_rss_mb"]["met"] is None
    assert set(document["targets_missed"]) == {
        "pipeline_over_floor",
        "incremental_over_full",
        "scaling_2x",
    }
    # ...but above it at a smaller size is already a miss.
    heavy = report.evaluate_targets({**document, "peak_rss_mb": 5000.0})
    assert heavy["peak_rss_mb"]["met"] is False
    at_scale = report.evaluate_targets({**document, "customers": 1_000_000})
    assert at_scale["peak_rss_mb"]["met"] is True


def test_a_stopped_run_leaves_its_partial_figures_out_of_the_headline() -> None:
    size = _size(1_000_000, 100.0, peak=5000.0)
    size["incremental"] = {"pipeline_s": 50.0, "cpu_s": 60.0, "success": False, "stopped": True}
    document = report.result_document([size], report.machine(), ["bench"])
    assert document["pipeline_s"] == 100.0
    assert document["incremental_s"] is None and document["incremental_over_full"] is None
    assert document["targets"]["incremental_over_full"]["met"] is None

    size["full"]["stopped"] = True
    document = report.result_document([size], report.machine(), ["bench"])
    assert document["pipeline_s"] is None and document["gates_share"] is None
    assert document["targets"]["peak_rss_mb"]["met"] is False  # 5000 so far: a miss already
    size["full"]["peak_rss_mb"] = 1000.0
    document = report.result_document([size], report.machine(), ["bench"])
    assert document["targets"]["peak_rss_mb"]["met"] is None


def test_a_check_step_stopped_before_its_result_is_still_a_gate() -> None:
    step = {"start": T0, "end": None, "status": None, "materialized": 0, "checks": []}
    assert report.stage_of("staging__stg_x_ge_staging", step) == "gates"
    assert report.stage_of("freshness_check_1a2b", step) == "gates"
    assert report.stage_of("raw__x", step) == "ingest"


def test_without_the_2n_run_or_the_floor_the_figures_are_null() -> None:
    size = _size(1000, 100.0)
    del size["floor"], size["incremental"]
    document = report.result_document([size], report.machine(), ["bench"])
    assert document["scaling_2x"] is None and document["floor_s"] is None
    assert document["pipeline_over_floor"] is None
    assert document["targets"]["scaling_2x"]["met"] is None


def test_results_are_written_as_latest_and_a_dated_copy(tmp_path: Path) -> None:
    document = report.result_document([_size(1000, 100.0)], report.machine(), ["bench"])
    latest, dated = report.write_results(document, tmp_path / "results")

    assert latest.name == "latest.json" and dated.name.endswith("_1000.json")
    assert json.loads(latest.read_text()) == json.loads(dated.read_text())
    assert json.loads(latest.read_text())["customers"] == 1000


def test_the_markdown_block_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    document = report.result_document([_size(1000, 100.0)], report.machine(), ["bench"])
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nWritten by hand.\n")

    report.update_markdown(path, report.markdown(document))
    report.update_markdown(path, "second\n")

    text = path.read_text()
    assert text.startswith("# Benchmarks\n\nWritten by hand.\n")
    assert text.count(report.MARKDOWN_START) == 1 and "second" in text
    assert "| clv_fit |" not in text
    first = report.markdown(document)
    assert "| `pipeline_over_floor` | 2.000 | <= 1.5 | **no** |" in first
    assert "| clv_fit | 30.0 |" in first


def _node(kind: str, name: str, sql: str, parents: list[str], materialized: str) -> dict:
    return {
        "resource_type": kind,
        "name": name,
        "database": "floor",
        "schema": "marts",
        "relation_name": f'"floor"."marts"."{name}"' if kind == "model" else None,
        "config": {"materialized": materialized, "enabled": True},
        "depends_on": {"nodes": parents},
        "compiled_code": sql,
    }


def test_the_floor_runs_compiled_models_and_tests_in_dependency_order(tmp_path: Path) -> None:
    manifest = {
        "nodes": {
            "test.p.not_null_b": _node(
                "test", "not_null_b", "select * from floor.marts.b where n is null",
                ["model.p.b"], "test",
            ),
            "model.p.b": _node(
                "model", "b", "select n * 2 as n from floor.marts.a;", ["model.p.a"], "table"
            ),
            "model.p.a": _node(
                "model", "a", "select range as n from range(5)\n-- trailing comment",
                ["seed.p.s"], "view",
            ),
            "seed.p.s": _node("seed", "s", "", [], "seed"),
        }
    }  # fmt: skip
    plan = floor_plan(manifest)
    assert [n.unique_id for n in plan] == ["model.p.a", "model.p.b", "test.p.not_null_b"]
    assert plan[0].statement().startswith('create or replace view "floor"."marts"."a" as (')

    with duckdb.connect(str(tmp_path / "floor.duckdb")) as con:
        timings = run_sql_floor(con, plan)
        assert list(timings) == [n.unique_id for n in plan]
        assert con.execute("select sum(n) from marts.b").fetchone() == (20,)
        tables = con.execute("select table_name, table_type from information_schema.tables")
        kinds = dict(tables.fetchall())
    assert kinds == {"a": "VIEW", "b": "BASE TABLE"}


def test_the_floor_refuses_a_manifest_that_was_not_compiled() -> None:
    manifest = {"nodes": {"model.p.a": _node("model", "a", None, [], "table")}}
    with pytest.raises(ValueError, match="dbt compile"):
        floor_plan(manifest)


def test_the_ingest_floor_reads_csv_utf16_csv_and_json(tmp_path: Path) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "reviews").mkdir()
    (tmp_path / "crm" / "a.csv").write_text("id,x\n1,a\n2,b\n")
    (tmp_path / "reviews" / "play.csv").write_text("id,stars\n1,5\n", encoding="utf-16")
    (tmp_path / "reviews" / "store.json").write_text(json.dumps([{"id": 1}, {"id": 2}]))
    (tmp_path / "ground_truth.json").write_text("{}")  # not a landed export

    with duckdb.connect() as con:
        timings = run_ingest_floor(con, tmp_path)
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'floor_ingest'"
        ).fetchall()
    assert sorted(timings) == ["crm/a.csv", "reviews/play.csv", "reviews/store.json"]
    assert len(tables) == 3


def test_the_next_day_of_orders_repeats_the_newest_day_one_day_later(tmp_path: Path) -> None:
    header = ["Id", "AccountId", "OrderNumber", "EffectiveDate", "Status", "TotalAmount",
              "Promised_Delivery_Date__c", "Delivered_Date__c", "CreatedDate"]  # fmt: skip
    rows = [
        ["801Dm0000000001AAA", "001A", "10000001", "2026-10-30", "Activated", "9.50",
         "2026-11-02", "2026-11-01", "2026-10-30T10:00:00.000Z"],
        ["801Dm0000000002AAA", "001B", "10000002", "2026-10-31", "Activated", "12.00",
         "2026-11-03", "", "2026-10-31T23:59:00.000Z"],
    ]  # fmt: skip
    with (tmp_path / "salesforce_orders_2024.csv").open("w", newline="") as out:
        csv.writer(out).writerows([header, *rows])

    path, day, count = write_next_day_orders(tmp_path)

    assert path.name == "salesforce_orders_2026-11-01_2026-11-02.csv"
    assert str(day) == "2026-11-01" and count == 1
    with path.open(newline="") as file:
        written = list(csv.DictReader(file))
    assert written == [
        {
            "Id": "801Dm0000000003AAA",
            "AccountId": "001B",
            "OrderNumber": "10000003",
            "EffectiveDate": "2026-11-01",
            "Status": "Activated",
            "TotalAmount": "12.00",
            "Promised_Delivery_Date__c": "2026-11-04",
            "Delivered_Date__c": "",
            "CreatedDate": "2026-11-01T23:59:00.000Z",
        }
    ]
    assert not list(tmp_path.glob("*.partial"))


def test_the_sampler_sees_this_process_and_reads_peaks_and_cpu_inside_a_window() -> None:
    assert os.getpid() in tree_pids(os.getpid())
    now = sample_tree(os.getpid())
    assert now.rss_kib > 0 and now.cpu_s > 0
    samples = [Sample(1.0, 1024, 0.5), Sample(2.0, 4096, 1.5), Sample(3.0, 2048, 4.0)]
    assert peak_mb(samples) == 4.0
    assert peak_mb(samples, 2.5, 3.5) == 2.0
    assert peak_mb(samples, 10, 11) == 0.0
    assert cpu_seconds(samples, 2.0, 3.5) == 2.5
    assert cpu_seconds(samples) == 4.0


def test_dbt_invocations_and_full_parses_are_counted_from_the_runs_dbt_log(tmp_path) -> None:
    def event(name: str) -> str:
        return json.dumps({"info": {"name": name, "msg": "x"}, "data": {}})

    run = tmp_path / "run-abc"
    run.mkdir()
    lines = [event("MainReportVersion"), event("UnableToPartialParse"), event("FoundStats")]
    lines += [event("MainReportVersion"), "not json", event("FoundStats")]
    (run / "dbt.log").write_text("\n".join(lines) + "\n")

    assert dbt_parses(tmp_path, "abc") == (2, 1)
    assert dbt_parses(tmp_path, "other") == (0, 0) and dbt_parses(tmp_path, None) == (0, 0)
