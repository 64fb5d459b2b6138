"""The demo company: deterministic, in the vendors' layouts, with its planted truth visible."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from demo.company import simulate
from demo.generate import generate
from ingest.crm import CRM_SOURCES


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.csv"))
    }


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    generate(200, 3, tmp_path / "a")
    generate(200, 3, tmp_path / "b")
    generate(200, 4, tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_crm_source_finds_its_files_with_the_required_columns(small_demo) -> None:
    for source in CRM_SOURCES:
        files = sorted((small_demo.landing / source.folder).glob(source.pattern))
        assert files, f"no demo file for {source.name}"
        for path in files:
            with path.open(newline="", encoding="utf-8") as handle:
                header = next(csv.reader(handle))
            assert set(source.required_headers) <= set(header), path.name


def test_row_counts_in_ground_truth_match_the_files(small_demo) -> None:
    for name, rows in small_demo.truth["files"].items():
        frame = pd.read_csv(small_demo.landing / name)
        assert len(frame) == rows, name
    accounts = pd.read_csv(small_demo.crm / "salesforce_accounts.csv")
    assert len(accounts) == small_demo.truth["customers"]


def test_order_exports_overlap_as_real_overlapping_exports_do(small_demo) -> None:
    first, second = sorted(small_demo.crm.glob("salesforce_orders*.csv"))
    repeated = set(pd.read_csv(first)["Id"]) & set(pd.read_csv(second)["Id"])
    assert repeated, "the two order exports should share the overlap week"


def test_ground_truth_names_the_planted_structure(small_demo) -> None:
    truth = small_demo.truth
    touchpoints = {t["touchpoint"] for t in truth["touchpoints"]}
    assert truth["strongest_driver_touchpoint"] in touchpoints
    assert truth["pain_touchpoint"] in touchpoints
    assert truth["strongest_driver_touchpoint"] == max(
        truth["loyalty_weights"], key=truth["loyalty_weights"].get
    )
    assert truth["pain_touchpoint"] == min(
        truth["touchpoint_mean_quality"], key=truth["touchpoint_mean_quality"].get
    )
    ids = {i["initiative_id"] for i in truth["initiatives"]}
    assert {truth["effective_initiative_id"], truth["placebo_initiative_id"]} <= ids


def test_planted_effects_show_in_the_simulated_behaviour() -> None:
    """At a size where noise is small, the causal structure is visible in what was produced."""
    company = simulate(20000, seed=11)
    customers, orders = company.customers, company.orders
    tercile = pd.qcut(customers["experience_z"], 3, labels=["poor", "middle", "good"])
    dropout = customers.groupby(tercile, observed=True)["dropped_out"].mean()
    assert dropout["poor"] > dropout["good"] + 0.05
    live = orders[orders["status"] == "Activated"]
    value = live.groupby(tercile.to_numpy()[live["customer_idx"]])["amount_eur"].mean()
    assert value["poor"] < value["good"]
    start = int((pd.Timestamp("2025-11-01") - pd.Timestamp("2024-11-01")).days)
    before = live[live["day"] < start]["late"].mean()
    after = live[live["day"] >= start]["late"].mean()
    assert after < 0.7 * before
    assert customers["quality_support"].mean() < customers["quality_website"].mean() - 1.0


def test_ground_truth_json_is_written_and_hidden_truth_kept_apart(small_demo) -> None:
    assert json.loads((small_demo.landing / "ground_truth.json").read_text())["seed"] == 7
    path = small_demo.landing / "ground_truth_customers.parquet"
    hidden = duckdb.sql(f"select * from read_parquet('{path}')").df()
    assert len(hidden) == small_demo.truth["customers"]
    assert hidden["account_id"].str.len().eq(18).all()


def test_rejects_an_empty_company() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate(0)
