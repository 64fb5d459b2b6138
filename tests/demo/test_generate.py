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
        if not name.startswith("crm/"):
            continue
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


def test_accounts_and_orders_carry_territory_brand_and_channel_in_salesforce_fields(
    small_demo,
) -> None:
    accounts = pd.read_csv(small_demo.crm / "salesforce_accounts.csv")
    orders = pd.concat(pd.read_csv(p) for p in small_demo.crm.glob("salesforce_orders_*.csv"))
    assert set(accounts["BillingCountry"]) == {
        "Germany", "Austria", "Switzerland", "Netherlands", "France"
    }  # fmt: skip
    assert set(accounts.groupby("BillingCountry")["Region__c"].unique().map(len)) == {1}
    assert set(accounts["Brand__c"]) == {"Hearth Home", "Hearth Pro"}
    assert set(orders["Channel__c"]) == {"web", "app", "store", "phone", "marketplace"}
    measured = small_demo.truth["measured"]["late_delivery_rate_by_territory"]
    assert set(measured) == set(accounts["BillingCountry"])


def test_ground_truth_json_is_written_and_hidden_truth_kept_apart(small_demo) -> None:
    assert json.loads((small_demo.landing / "ground_truth.json").read_text())["seed"] == 7
    path = small_demo.landing / "ground_truth_customers.parquet"
    hidden = duckdb.sql(f"select * from read_parquet('{path}')").df()
    assert len(hidden) == small_demo.truth["customers"]
    assert hidden["account_id"].str.len().eq(18).all()


def test_rejects_an_empty_company() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate(0)


def test_feedback_follows_the_planted_truth() -> None:
    import numpy as np

    from demo import company as co
    from demo import feedback

    company = simulate(20000, seed=12)
    rng = np.random.default_rng(0)
    scores = feedback.touchpoint_surveys(rng, company)
    csat = scores.groupby("touchpoint")["csat"].mean()
    assert csat.idxmin() == "support"  # the pain point
    effective, placebo = co.INITIATIVES[:2]
    delivery = scores[scores["touchpoint"] == "delivery"]
    start = co._month_start_day(effective["start_month"])
    gain = (
        delivery[delivery["day"] >= start]["csat"].mean()
        - delivery[delivery["day"] < start]["csat"].mean()
    )
    checkout = scores[scores["touchpoint"] == "checkout"]
    start = co._month_start_day(placebo["start_month"])
    placebo_gain = (
        checkout[checkout["day"] >= start]["csat"].mean()
        - checkout[checkout["day"] < start]["csat"].mean()
    )
    assert gain > 0.15 and abs(placebo_gain) < 0.1

    nps = feedback.relationship_nps(rng, company)
    z = company.customers.set_index("customer_idx").loc[nps["customer_idx"], "experience_z"]
    assert np.corrcoef(nps["nps"], z)[0, 1] > 0.6
    pulse = feedback.employee_pulse(rng, company)
    assert pulse.groupby("team")["enps"].mean().idxmin() == "customer_care"
    # The soft initiative: the support team's eNPS rises from its start, no other team's does,
    # and support answers follow a month later.
    month = feedback._month_index(pulse["day"].to_numpy())
    rise = (
        pulse.assign(after=month >= co.soft_start_month(True))
        .groupby(["team", "after"])["enps"]
        .mean()
        .unstack()
    )
    rise = rise[True] - rise[False]
    assert rise["customer_care"] > 1.0 and rise.drop("customer_care").abs().max() < 0.3
    support = scores[scores["touchpoint"] == "support"]
    reached = feedback._month_index(support["day"].to_numpy()) >= (
        co.soft_start_month(True) + co.EX_TO_CX_LAG_MONTHS
    )
    assert support["csat"][reached].mean() > support["csat"][~reached].mean() + 0.3
    reviews = feedback.reviews(rng, company)
    late = company.orders.set_index("order_idx").loc[reviews["order_idx"], "late"].to_numpy()
    assert reviews["stars"][late].mean() < reviews["stars"][~late].mean() - 1


def test_answers_and_reviews_spread_over_real_days_without_a_last_day_pile_up() -> None:
    """Answers due after the data ends are not given yet; none is moved onto the last day
    (at 200,000 customers that pile-up was 14,159 NPS answers on 2026-10-31 against ~120)."""
    import numpy as np

    from demo import feedback

    company = simulate(20000, seed=12)
    rng = np.random.default_rng(0)
    last = company.days - 1
    frames = {
        "relationship_nps": (feedback.relationship_nps(rng, company), "day"),
        "reviews": (feedback.reviews(rng, company), "created_day"),
        "app_reviews": (feedback.app_reviews(rng, company), "created_day"),
    }
    for name, (frame, column) in frames.items():
        days = frame[column].value_counts().sort_index()
        assert days.index.max() <= last, name
        trailing = days.reindex(range(last - 60, last), fill_value=0).median()
        assert days.get(last, 0) <= 3 * max(trailing, 1), (name, days.get(last, 0), trailing)


def test_survey_and_review_exports_are_written(small_demo) -> None:
    files = small_demo.truth["files"]
    for name in (
        "surveys/relationship_nps.csv",
        "surveys/touchpoint_csat_ces.csv",
        "surveys/website_feedback.csv",
        "surveys/employee_pulse.csv",
        "demo_api/trustpilot_reviews.json",
    ):
        assert files[name] > 0 and (small_demo.landing / name).exists(), name
    assert any(n.startswith("reviews/reviews_com.hearthco.shop_") for n in files)
    assert any(n.startswith("reviews/app_store_reviews_") for n in files)


def test_google_play_reviews_keep_unique_ids_when_text_and_second_repeat(tmp_path) -> None:
    """At 1,000,000 customers two reviews with the same text in the same second got the same id
    (it hashes package, time and, without a link, the text): each review now has its link."""
    import numpy as np

    from demo.app_store_exports import write_google_play_csv
    from demo.voice_exports import app_store_frames
    from ingest.reviews.google_play import google_play_rows

    play = app_store_frames(simulate(300, 7), np.random.default_rng(1))["google_play"]
    assert len(play) > 5
    crowded = play.assign(created_at=play["created_at"].iloc[0], text="Checkout keeps failing")
    path = write_google_play_csv(crowded, tmp_path / "reviews_com.hearthco.shop_202610.csv")

    rows, rejects, records = google_play_rows(path, path.read_bytes().decode("utf-16"))
    assert rejects == [] and records == len(play)
    assert len({r["review_id"] for r in rows}) == len(rows) == len(play)
    links = [json.loads(r["extra"])["Review Link"] for r in rows]
    assert len(set(links)) == len(rows) and all(
        link.startswith("https://play.google.com/") for link in links
    )


def test_the_addressable_market_grows_with_the_company(small_demo) -> None:
    from common.business_settings import load_business_settings
    from demo.generate import DEFAULT_CUSTOMERS, addressable_market
    from demo.run import run_config

    truth = small_demo.truth
    assert truth["addressable_market_customers"] == addressable_market(truth["customers"])
    assert addressable_market(1_000_000) == 20 * addressable_market(50_000) > 1_000_000
    # The default company's market is the business setting's documented default.
    default = load_business_settings().addressable_market_customers
    assert addressable_market(DEFAULT_CUSTOMERS) == default
    overrides = run_config(small_demo.landing)["resources"]["business_settings"]["config"]
    assert overrides == {"addressable_market_customers": truth["addressable_market_customers"]}


def test_the_ledger_costs_scale_with_the_company(tmp_path) -> None:
    """ROX means the same at any size: the generated ledger's costs are the seed's (the default
    company's, 5,000 customers) times customers / 5,000; ids, scopes and starts are the seed's."""
    from common.settings import DBT_PROJECT_DIR
    from demo import company as co

    truth = generate(400, 3, tmp_path)
    seeds = DBT_PROJECT_DIR / "seeds"
    for name, cost in (("initiatives", "cost_per_month_eur"), ("actions", "estimated_cost_eur")):
        seed = pd.read_csv(seeds / f"{name}.csv")
        written = pd.read_csv(tmp_path / "ledger" / f"{name}.csv")
        assert truth["files"][f"ledger/{name}.csv"] == len(seed) == len(written)
        assert (written.drop(columns=cost) == seed.drop(columns=cost)).all().all()
        ratio = written[cost] / seed[cost]
        assert ratio.to_numpy() == pytest.approx(400 / co.REFERENCE_CUSTOMERS, rel=1e-3)
    assert truth["effective_soft_initiative_id"] == "INI-03"
    assert truth["placebo_soft_initiative_id"] == "INI-04"
    assert truth["measured"]["soft_ex_effect_0_100"] > 10
