"""What many tests share that is not a fixture: the demo company on disk, dbt, the demo review
API, loading or building a warehouse through the real Dagster assets, and reading the report's
SVG charts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from common.settings import DBT_PROJECT_DIR

# Strings that would change a statement if configuration or file content reached SQL as text.
INJECTIONS = ["x'; drop table raw.load_log; --", 'a"b', "../../etc/passwd"]

# The daily partition the test runs build: the last day of the demo data (their first build of
# a daily fact covers every date anyway).
DEMO_LAST_DAY = "2026-10-31"


@dataclass(frozen=True)
class Demo:
    landing: Path
    truth: dict

    @property
    def crm(self) -> Path:
        return self.landing / "crm"


def run_dbt(*args: str) -> subprocess.CompletedProcess:
    """Run the project's dbt with the current environment; output captured for assertions.

    A build for a test's warehouse writes its artefacts beside that warehouse, not to
    dbt_project/target: the manifest there is what the Dagster definitions read, and dbt writes
    the warehouse's database name into every relation name.
    """
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    if args[:1] != ("parse",) and "DBT_TARGET_PATH" not in env and env.get("ROX_WAREHOUSE"):
        target = Path(env["ROX_WAREHOUSE"]).parent / "dbt_target"
        target.mkdir(parents=True, exist_ok=True)
        # Start from the project's partial parse, as dagster-dbt does for its invocations.
        shared = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
        if shared.exists() and not (target / shared.name).exists():
            shutil.copyfile(shared, target / shared.name)
        env["DBT_TARGET_PATH"] = str(target)
    return subprocess.run(
        [str(dbt), *args, "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env=env,
    )


@dataclass(frozen=True)
class Build:
    """What the dbt invocations of one staged build returned, for assertions."""

    returncode: int
    stdout: str


# The pipeline's order for a build straight from dbt: seeds and staging; the Python assets dbt
# reads as sources (the text signals of the staging texts, the metric catalogue); intermediate
# and the marts that need no Python mart; the CLV marts; the marts built on them.
STAGED_BUILD = (
    ("--select", "resource_type:seed", "path:models/staging"),
    (("raw", "text_signals"), ("config", "metric_catalogue")),
    ("--exclude", "resource_type:seed", "path:models/staging", "source:marts+"),
    (("marts", "customer_clv"),),
    ("--select", "source:marts.customer_clv+"),
    (("marts", "driver_importance"),),
    ("--select", "source:marts.moments_that_matter+"),
)


def build_warehouse(*dbt_args: str, steps: tuple = STAGED_BUILD) -> Build:
    """Build every dbt model of the warehouse in ROX_WAREHOUSE as the pipeline orders it, with
    the real Python assets between the dbt invocations (`dbt build` in one go cannot run them).
    `steps` may be the first steps of STAGED_BUILD, or a narrower selection in the same form.

    Stops at the first failing dbt invocation; a failing Python asset fails the test.
    """
    from orchestration.definitions import build_definitions

    warehouse = Path(os.environ["ROX_WAREHOUSE"])
    parquet = os.environ.get("ROX_RAW_PARQUET_DIR") or str(warehouse.parent / "parquet" / "raw")
    returncode, output = 0, []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_RAW_PARQUET_DIR", parquet)
        for step in steps:
            if isinstance(step[0], tuple):
                defs = build_definitions()
                result = dg.materialize(
                    list(defs.assets),
                    selection=dg.AssetSelection.assets(
                        *[dg.AssetKey(list(k)) for k in step]
                    ).required_multi_asset_neighbors(),
                    resources=defs.resources,
                    instance=dg.DagsterInstance.ephemeral(),
                    raise_on_error=False,
                )
                assert result.success, [str(e) for e in result.all_events if e.is_failure]
                continue
            done = run_dbt("build", "--indirect-selection", "buildable", *step, *dbt_args)
            returncode, output = done.returncode, [*output, done.stdout]
            if returncode != 0:
                break
    return Build(returncode, "\n".join(output))


_MANIFEST_PARSED: list[Path] = []


def dbt_manifest_path() -> Path:
    """dbt's manifest, parsed once per test session (the Dagster definitions read it), with the
    `--target` the dbt steps pass, as `make manifest` does: a step reuses this partial parse
    when its profile (the warehouse path) is the one parsed with."""
    if not _MANIFEST_PARSED:
        result = run_dbt("parse", "--quiet", "--target", os.environ.get("ROX_DBT_TARGET", "duckdb"))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        _MANIFEST_PARSED.append(DBT_PROJECT_DIR / "target" / "manifest.json")
    return _MANIFEST_PARSED[0]


class _DemoServer:
    def __init__(self, server, api_key: str, business_units: list[str]) -> None:
        self.url, self.api_key, self.business_units = server.url, api_key, business_units


@contextmanager
def demo_review_server(demo: Demo, **options):
    """The demo review API on loopback, serving the demo company's reviews."""
    from demo.review_api import ReviewApiServer

    reviews = json.loads((demo.landing / "demo_api" / "trustpilot_reviews.json").read_text())
    api_key = "test-key-" + "x" * 16
    with ReviewApiServer(reviews, api_key=api_key, **options) as server:
        yield _DemoServer(server, api_key, list(reviews))


def pipeline_env(root: Path, landing: Path) -> dict[str, str]:
    """The settings of a whole-pipeline run whose warehouse and archive live under `root`."""
    return {
        "ROX_WAREHOUSE": str(root / "warehouse" / "rox.duckdb"),
        "ROX_LANDING_DIR": str(landing),
        "ROX_ARCHIVE_DIR": str(root / "archive"),
        "ROX_RAW_PARQUET_DIR": str(root / "warehouse" / "parquet" / "raw"),
        "DO_NOT_TRACK": "1",
    }


# The small-sample floors of a run on the few-hundred-customer demo: its months have a handful
# of answers each, so the defaults (30 answers, 10 signals) would suppress nearly every value
# the wiring tests compare. The defaults are tested on their own (tests/dbt/test_small_samples).
PUBLISH_EVERY_VALUE = {
    "min_answers_survey_metric": 1,
    "min_signals_heatmap_cell": 1,
    "min_observations_metric": 1,
}


def run_daily_refresh(
    env: dict[str, str],
    instance: dg.DagsterInstance | None = None,
    business_settings: dict[str, object] | None = None,
) -> dg.ExecuteInProcessResult:
    """The job `daily_refresh` for the demo's last day, in this process, with `env` set and
    the run's `business_settings` overrides (the resource's config), if any."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in ("ROX_PSEUDONYM_SALT", "ROX_REVIEW_API_URL", "ROX_REVIEW_API_KEY"):
            if key not in env:
                mp.delenv(key, raising=False)
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def("daily_refresh")
        run_config = (
            {"resources": {"business_settings": {"config": business_settings}}}
            if business_settings
            else None
        )
        return job.execute_in_process(
            instance=instance or dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            partition_key=DEMO_LAST_DAY,
            run_config=run_config,
        )


def load_demo_raw(
    warehouse: Path, demo: Demo, archive: Path, salt: str | None = "test-salt"
) -> dg.ExecuteInProcessResult:
    """Land every source of `demo` into `warehouse` by materialising the real raw assets (group
    `raw`: the salt and every source; the review API through its client against the demo
    server on loopback). The text signals score staging texts: `build_warehouse` runs them."""
    from orchestration.definitions import build_definitions

    dbt_manifest_path()
    parquet = os.environ.get("ROX_RAW_PARQUET_DIR") or str(warehouse.parent / "parquet" / "raw")
    with demo_review_server(demo) as server, pytest.MonkeyPatch.context() as mp:
        settings = {
            "ROX_WAREHOUSE": str(warehouse),
            "ROX_LANDING_DIR": str(demo.landing),
            "ROX_ARCHIVE_DIR": str(archive),
            "ROX_RAW_PARQUET_DIR": parquet,
            "ROX_REVIEW_API_URL": server.url,
            "ROX_REVIEW_API_KEY": server.api_key,
            "ROX_REVIEW_BUSINESS_UNITS": ",".join(server.business_units),
            "DO_NOT_TRACK": "1",
        }
        for key, value in settings.items():
            mp.setenv(key, value)
        if salt:
            mp.setenv("ROX_PSEUDONYM_SALT", salt)
        else:
            mp.delenv("ROX_PSEUDONYM_SALT", raising=False)
        defs = build_definitions()
        # The assets alone: the gates have tests of their own and need not run for every load.
        result = dg.materialize(
            list(defs.assets),
            selection=dg.AssetSelection.groups("raw"),
            resources=defs.resources,
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    assert result.success, [str(e) for e in result.all_events if e.is_failure]
    return result


def table_row_counts(con) -> dict[str, int]:
    """Every table with its row count: what "the warehouse is unchanged" compares."""
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog') order by 1"
    ).fetchall()
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in names}


SVG = "{http://www.w3.org/2000/svg}"


def report_figure(html: str, figure_id: str) -> str:
    """The HTML of one chart figure of the report."""
    match = re.search(rf'<figure class="chart" id="{re.escape(figure_id)}".*?</figure>', html, re.S)
    assert match, f"no figure {figure_id}"
    return match.group(0)


def figure_svg(html: str, figure_id: str) -> ET.Element:
    """The figure's chart, parsed (it must be well-formed XML)."""
    match = re.search(r"<svg\b.*?</svg>", report_figure(html, figure_id), re.S)
    assert match, f"figure {figure_id} has no svg"
    return ET.fromstring(match.group(0))


def svg_marks(svg: ET.Element, layer: str) -> list[ET.Element]:
    """The drawn items of the chart layer named `layer` (Vega groups them in one
    <g class="mark-... role-mark {layer}_marks">)."""
    found = []
    for group in svg.iter(f"{SVG}g"):
        if f"{layer}_marks" in group.get("class", "").split():
            found.extend(group)
    return found


def svg_texts(svg: ET.Element) -> list[str]:
    """Every text the chart writes (labels, values, axes, legends)."""
    return ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]


def mark_position(mark: ET.Element) -> tuple[float, float]:
    """Where a mark is drawn: its translate() or the start of its path."""
    found = re.search(r"translate\(([-0-9.e]+),([-0-9.e]+)\)", mark.get("transform", ""))
    found = found or re.match(r"M([-0-9.e]+),([-0-9.e]+)", mark.get("d", ""))
    if found is None and mark.get("x1") is not None:
        return float(mark.get("x1")), float(mark.get("y1"))
    assert found, f"no position on {mark.tag} {mark.attrib}"
    return float(found.group(1)), float(found.group(2))


# Columns that differ between two runs of the same data: when and by which run it was loaded,
# where the archive is. Everything else must be equal.
VOLATILE = {"_loaded_at", "loaded_at", "fetched_at", "rejected_at", "sync_id", "archive_path"}
VOLATILE_IN = {"review_sync_cursor": {"updated_at"}, "clv_backtest": {"run_id", "computed_at"}}


def _text(column: str, data_type: str) -> str:
    """SQL giving a column's value as text, the same for the same data in any run."""
    quoted = '"' + column + '"'
    if data_type in ("DOUBLE", "FLOAT"):
        text = f"printf('%.9g', {quoted})"  # parallel sums differ in the last bits
    elif data_type == "VARCHAR":  # the demo API's port changes per run
        text = f"regexp_replace({quoted}, 'http://127[.]0[.]0[.]1:[0-9]+', 'http://api', 'g')"
    else:
        text = f"cast({quoted} as varchar)"
    return f"coalesce({text}, '<null>')"


def table_checksum(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "true", skip: frozenset = frozenset()
) -> tuple[int, str]:
    """Row count and SHA-256 of the sorted rows of `table`, without the volatile columns."""
    schema, name = table.split(".")
    columns = [
        _text(column, data_type)
        for column, data_type in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
        if column not in VOLATILE | VOLATILE_IN.get(name, set()) | skip
    ]
    row = f"concat_ws(chr(31), {', '.join(columns)})"
    count, digest = con.execute(
        f"select count(*), sha256(coalesce(string_agg({row}, chr(10) order by {row}), '')) "
        f"from {table} where {where}"
    ).fetchall()[0]
    return count, digest


def table_checksums(database: Path, schemas: tuple[str, ...] | None = None) -> dict:
    """`table_checksum` of every table (or those of `schemas`) of a DuckDB file."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1"
        ).fetchall()
        return {
            t: table_checksum(con, t)
            for (t,) in tables
            if schemas is None or t.split(".")[0] in schemas
        }


# A Salesforce Order export (Data Loader layout), for tests that plant bad rows in one file.
ORDERS_HEADER = (
    "Id,AccountId,OrderNumber,EffectiveDate,Status,TotalAmount,CurrencyIsoCode,Margin__c,"
    "Product_Category__c,Promised_Delivery_Date__c,Delivered_Date__c,Returned__c,CreatedDate,"
    "LastModifiedDate"
)


def order_line(i: int, day: str = "2026-10-01", amount: str = "10.00", note: str = "office") -> str:
    """One order row of ORDERS_HEADER: id from `i`, dated `day`."""
    stamp = f"{day}T10:00:00.000Z"
    return (
        f"801{i:015d},001{i % 7:015d},{10000 + i},{day},Activated,{amount},EUR,3.00,{note},"
        f"{day},{day},false,{stamp},{stamp}"
    )


def land_orders(landing: Path, name: str, rows: list[str]) -> Path:
    """Write `rows` under ORDERS_HEADER to `<landing>/crm/<name>`."""
    path = landing / "crm" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([ORDERS_HEADER, *rows]) + "\n")
    return path
