"""The blocking checks that carry the suites: every staging model and mart has one, a failure
blocks and writes its page, and the row-count gate compares with the last successful run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from tests.helpers import land_orders, order_line


def _dbt_models(manifest_path: Path, layer: str) -> list[str]:
    import json

    manifest = json.loads(manifest_path.read_text())
    return sorted(
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1:2] == [layer]
    )


def test_every_staging_model_and_mart_has_a_suite(dbt_manifest) -> None:
    """Every staging view and mart has its blocking gate (a new model gets one without another
    list to keep), every suite names a model that exists, and every Python mart, which has no
    dbt tests, has its grain and ranges in its suite."""
    from expectations.marts import MARTS_SUITE
    from expectations.staging import STAGING_SUITE
    from orchestration.marts import mart_asset_keys, python_mart_keys
    from orchestration.quality.checks import mart_suite_checks, staging_suite_checks

    def gated(checks) -> list[str]:
        return sorted(k.asset_key.path[1] for c in checks for k in c.check_keys)

    staging = _dbt_models(dbt_manifest, "staging")
    marts = [k.path[1] for k in mart_asset_keys()]
    assert gated(staging_suite_checks) == staging
    assert gated(mart_suite_checks) == sorted(marts)
    assert set(STAGING_SUITE) <= set(staging) and set(MARTS_SUITE) <= set(marts)
    grain = {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"}
    for key in python_mart_keys():
        assert grain & {e.type for e in MARTS_SUITE[key.path[1]]}, key


def test_each_check_lives_in_one_place(dbt_manifest) -> None:
    """A dbt model's grain and contract are dbt tests; its GE suite holds only what dbt's tests
    do not express: shares with a tolerance (README, "Quality gates")."""
    from expectations.marts import MARTS_SUITE
    from expectations.staging import STAGING_SUITE

    dbt_models = set(_dbt_models(dbt_manifest, "staging") + _dbt_models(dbt_manifest, "marts"))
    suites = {**STAGING_SUITE, **MARTS_SUITE}
    for model in sorted(dbt_models & set(suites)):
        for expect in suites[model]:
            assert expect.reports_share and expect.kwargs["mostly"] < 1, (model, expect.label)


def _run_mart_gate(
    warehouse: Path, instance: dg.DagsterInstance, create_sql: str
) -> dg.ExecuteInProcessResult:
    """Materialise a stand-in `marts/rox_by_initiative` with `create_sql` and run its gate."""
    from orchestration.quality.checks import mart_suite_checks

    key = dg.AssetKey(["marts", "rox_by_initiative"])
    gate = next(c for c in mart_suite_checks if {k.asset_key for k in c.check_keys} == {key})

    @dg.asset(key=["marts", "rox_by_initiative"])
    def stand_in(duckdb: DuckDBResource) -> None:
        with duckdb.get_connection() as con:
            con.execute("create schema if not exists marts")
            con.execute(f"create or replace table marts.rox_by_initiative as {create_sql}")

    return dg.materialize(
        [stand_in, gate],
        instance=instance,
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
        raise_on_error=False,
    )


MART_ROWS = (
    "select 'INI-' || i as initiative_id, 'Initiative ' || i as initiative_name, "
    "800.0 as cost_per_month_eur, 3 as months_live, 2400.0 as investment_to_date_eur "
    "from range({n}) t(i)"
)


def test_a_mart_with_an_email_fails_its_blocking_gate_and_writes_a_page(tmp_path) -> None:
    warehouse = tmp_path / "rox.duckdb"
    leaky = MART_ROWS.format(n=3).replace(
        "as initiative_name,", "as initiative_name, 'ceo@example.com' as owner_email,"
    )
    result = _run_mart_gate(warehouse, dg.DagsterInstance.ephemeral(), leaky)
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    failed = evaluation.metadata["failed_expectations"].value
    assert failed == [
        "no personal-data column names (email, names, phone, IP)",
        "no email addresses in string columns",
    ]
    page = Path(evaluation.metadata["validation_page"].value)
    assert page.parent == tmp_path / "validation"
    assert page.name == f"marts__rox_by_initiative__{result.run_id}.html"
    assert "owner_email" in page.read_text() and "ceo@example.com" not in page.read_text()


def test_the_row_count_gate_compares_with_the_previous_successful_run(tmp_path) -> None:
    warehouse, instance = tmp_path / "rox.duckdb", dg.DagsterInstance.ephemeral()
    first = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=10))
    (evaluation,) = first.get_asset_check_evaluations()
    assert evaluation.passed and "previous_table_rows" not in evaluation.metadata
    assert "no previous run" in evaluation.metadata["result"].value
    assert not (tmp_path / "validation").exists()

    second = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=4))
    (evaluation,) = second.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["previous_table_rows"].value == 10
    assert "4 rows, previous 10 (x0.4)" in evaluation.metadata["result"].value

    # A failed run is not the baseline: the next run still compares with the 10 rows.
    third = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=8))
    (evaluation,) = third.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["previous_table_rows"].value == 10


# -- raw gates: new batches only, bad rows quarantined (issue #26, "bad rows that already landed")


def _run_orders_gate(root: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Materialise the real `raw/salesforce_orders` asset and its gate on `<root>/landing`."""
    from orchestration.crm.assets import raw_crm_assets
    from orchestration.crm.checks import crm_suite_checks

    key = dg.AssetKey(["raw", "salesforce_orders"])
    asset = next(a for a in raw_crm_assets if key in a.keys)
    gate = next(c for c in crm_suite_checks if {k.asset_key for k in c.check_keys} == {key})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_LANDING_DIR", str(root / "landing"))
        mp.setenv("ROX_ARCHIVE_DIR", str(root / "archive"))
        mp.setenv("ROX_RAW_PARQUET_DIR", str(root / "parquet"))
        return dg.materialize(
            [asset, gate],
            instance=instance,
            resources={"duckdb": DuckDBResource(database=str(root / "warehouse" / "rox.duckdb"))},
            raise_on_error=False,
        )


FAULTS = {
    # line 4 of the faulty file holds the bad row. (An id repeated inside one file never lands:
    # the loader rejects the older line, naming both; tests/ingest/test_csv_loader.py.)
    "an order dated 2099": ([order_line(102, day="2099-01-01")], "2099-01-01"),
    "a negative amount": ([order_line(102, amount="-49.90")], "-49.9"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_bad_row_that_landed_is_quarantined_and_blocks_no_run(fault, tmp_path) -> None:
    """Today such a row fails the blocking raw gate on this run and every later one, even after
    its file is removed; now it moves to raw.quarantined_rows, named by file and line."""
    bad, value = FAULTS[fault]
    (tmp_path / "warehouse").mkdir()
    land_orders(tmp_path / "landing", "salesforce_orders_1.csv", [order_line(i) for i in range(40)])
    rows = [order_line(100), order_line(101), *bad, order_line(103)]
    land_orders(tmp_path / "landing", "salesforce_orders_2.csv", rows)
    instance = dg.DagsterInstance.ephemeral()

    first = _run_orders_gate(tmp_path, instance)
    (evaluation,) = first.get_asset_check_evaluations()
    assert evaluation.passed, evaluation.metadata["result"].value
    assert evaluation.metadata["rows_quarantined"].value == len(bad)
    quarantine = evaluation.metadata["quarantine"].value
    assert "| `salesforce_orders_2.csv` | line 4 |" in quarantine and value in quarantine
    page = Path(evaluation.metadata["validation_page"].value).read_text()
    assert "salesforce_orders_2.csv" in page and "line 4" in page
    database = tmp_path / "warehouse" / "rox.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from raw.salesforce_orders").fetchall() == [(43,)]
        moved = con.execute(
            "select distinct file_name, line_number from raw.quarantined_rows order by 2"
        ).fetchall()
    assert moved[0] == ("salesforce_orders_2.csv", 4)
    parquet = tmp_path / "parquet" / "salesforce_orders" / "data.parquet"
    assert duckdb.sql(f"select count(*) from '{parquet}'").fetchall() == [(43,)]

    (tmp_path / "landing" / "crm" / "salesforce_orders_2.csv").unlink()
    second = _run_orders_gate(tmp_path, instance)
    (evaluation,) = second.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["rows_validated"].value == 0
    assert "rows_quarantined" not in evaluation.metadata


def test_a_broken_export_blocks_until_it_is_retired(tmp_path) -> None:
    """Most rows bad is not a few bad rows: the gate blocks, and keeps blocking (removing the
    file from the landing folder leaves its rows in raw) until the file is retired."""
    from expectations.retire import retire_file

    (tmp_path / "warehouse").mkdir()
    land_orders(tmp_path / "landing", "salesforce_orders_1.csv", [order_line(i) for i in range(40)])
    broken = [order_line(i, amount="-1.00") for i in range(100, 110)]
    land_orders(tmp_path / "landing", "salesforce_orders_2.csv", broken)
    instance = dg.DagsterInstance.ephemeral()

    first = _run_orders_gate(tmp_path, instance)
    (evaluation,) = first.get_asset_check_evaluations()
    assert not evaluation.passed
    assert (
        "10 of the 10 new rows of salesforce_orders_2.csv fail"
        in evaluation.metadata["not_quarantined"].value
    )
    assert "`-1.0 (salesforce_orders_2.csv line 2)`" in evaluation.metadata["result"].value
    page = Path(evaluation.metadata["validation_page"].value).read_text()
    assert "-1.0 (salesforce_orders_2.csv line 2)" in page

    (tmp_path / "landing" / "crm" / "salesforce_orders_2.csv").unlink()
    (evaluation,) = _run_orders_gate(tmp_path, instance).get_asset_check_evaluations()
    assert not evaluation.passed

    with duckdb.connect(str(tmp_path / "warehouse" / "rox.duckdb")) as con:
        retire_file(con, "salesforce_orders_2.csv", "every amount negative: a broken export")
    (evaluation,) = _run_orders_gate(tmp_path, instance).get_asset_check_evaluations()
    assert evaluation.passed
    assert evaluation.metadata["table_rows"].value == 40
