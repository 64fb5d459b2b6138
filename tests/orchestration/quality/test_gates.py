"""The blocking checks that carry the suites: every staging model and mart has one, a failure
blocks and writes its page, and the row-count gate compares with the last successful run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource


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
    assert evaluation.passed and "previous_rows_validated" not in evaluation.metadata
    assert "no previous run" in evaluation.metadata["result"].value
    assert not (tmp_path / "validation").exists()

    second = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=4))
    (evaluation,) = second.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["previous_rows_validated"].value == 10
    assert "4 rows, previous 10 (x0.4)" in evaluation.metadata["result"].value

    # A failed run is not the baseline: the next run still compares with the 10 rows.
    third = _run_mart_gate(warehouse, instance, MART_ROWS.format(n=8))
    (evaluation,) = third.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["previous_rows_validated"].value == 10
