"""The CX and ROX report: after every build, `<warehouse dir>/report/index.html` (report/)."""

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import warehouse_path
from orchestration.marts import mart_asset_keys
from orchestration.resources import WAREHOUSE_POOL, BusinessSettingsOverrides

CX_REPORT = dg.AssetKey(["report", "cx_report"])
UI_URL_ENV = "ROX_DAGSTER_UI_URL"
# The journey order of the touchpoints, as dbt builds it.
JOURNEY_TOUCHPOINTS = "intermediate.int_journey_touchpoints"


def read_marts(con) -> dict[str, object]:
    """One frame per mart the report charts, with only the columns it reads that exist;
    None for a mart that is not in the warehouse (yet)."""
    from report import REPORT_MARTS

    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    marts: dict[str, object] = {}
    for name, wanted in REPORT_MARTS.items():
        # Names come from REPORT_MARTS and the catalogue, never from input.
        columns = [c for c in wanted if c in existing.get(name, set())]
        marts[name] = (
            con.execute(f"select {', '.join(columns)} from marts.{name}").df() if columns else None
        )
    return marts


def journey_order(con) -> tuple[list[str], list[str]]:
    """Stages in journey order (the seed) and touchpoints in journey order (dbt's
    int_journey_touchpoints); empty before the models are built."""
    tables = {
        r[0]
        for r in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    }
    if not {"config.journey_stages", JOURNEY_TOUCHPOINTS} <= tables:
        return [], []
    stages = con.execute("select stage_id from config.journey_stages order by stage_order").df()
    touchpoints = con.execute(
        f"select touchpoint_id from {JOURNEY_TOUCHPOINTS} order by journey_position"
    ).df()
    return stages["stage_id"].tolist(), touchpoints["touchpoint_id"].tolist()


def write_atomically(path: Path, content: str) -> int:
    """Write `content` beside `path` and rename it over, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)


def _mart_runs(instance: dg.DagsterInstance, names) -> dict[str, str]:
    """The run that last materialised each mart, as the Dagster instance recorded it."""
    runs = {}
    for name in names:
        event = instance.get_latest_materialization_event(dg.AssetKey(["marts", name]))
        if event is not None:
            runs[name] = event.run_id
    return runs


@dg.asset(
    key=CX_REPORT,
    group_name="report",
    kinds={"html"},
    owners=["team:cx-analytics"],
    deps=[*mart_asset_keys(), dg.AssetKey(JOURNEY_TOUCHPOINTS.split("."))],
    pool=WAREHOUSE_POOL,
    description=(
        "The CX and ROX report: one self-contained HTML page (inline SVG charts, works offline) "
        "with ROX by initiative, CX and EX trends, journey heatmaps, the driver matrix, "
        "opportunities, OKR progress, CLV and revenue at risk."
    ),
)
def cx_report(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    business_settings: BusinessSettingsOverrides,
) -> dg.MaterializeResult:
    from report import DEFAULT_UI_BASE, REPORT_MARTS, RunInfo, build_report, report_path

    with duckdb.get_connection() as con:
        marts = read_marts(con)
        stage_order, touchpoint_order = journey_order(con)
    business = business_settings.settings()
    run = RunInfo(
        run_id=context.run.run_id,
        built_at=datetime.now(UTC),
        ui_base=os.environ.get(UI_URL_ENV) or DEFAULT_UI_BASE,
        mart_runs=_mart_runs(context.instance, REPORT_MARTS),
    )
    report = build_report(
        marts,
        run,
        stage_order=stage_order,
        touchpoint_order=touchpoint_order,
        heat_pain_below=business.heat_pain_below,
        heat_love_from=business.heat_love_from,
    )
    path = report_path(warehouse_path())
    size = write_atomically(path, report.html)
    context.log.info(f"report written to {path} ({len(report.figures)} charts)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "sections_rendered": dg.MetadataValue.json([f"marts.{m}" for m in report.rendered]),
            "sections_missing": dg.MetadataValue.json([f"marts.{m}" for m in report.missing]),
            "charts": len(report.figures),
            "bytes": size,
        }
    )
