"""The published marts: after every build, a read-only snapshot for BI tools.

The copying and swapping is plain Python in publish/marts_snapshot.py.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.marts import mart_asset_keys
from orchestration.resources import WAREHOUSE_POOL
from publish.marts_snapshot import published_parquet_root, published_warehouse_path

PUBLISHED_MARTS = dg.AssetKey(["published", "marts"])


@dg.asset(
    key=PUBLISHED_MARTS,
    group_name="published",
    owners=["team:data-engineering"],
    kinds={"duckdb", "parquet"},
    # Every mart: the step runs only when all of them built, so a failed build publishes nothing.
    deps=mart_asset_keys(),
    pool=WAREHOUSE_POOL,
    description=(
        "Every table of schema marts, published as a read-only snapshot for BI tools: a new "
        "version folder `published/<version>/` with a DuckDB file and Parquet files, swapped in "
        "once complete by one rename of `published/current`; `rox_marts.duckdb` beside the "
        "warehouse (ROX_PUBLISHED_WAREHOUSE) links to `published/current/rox_marts.duckdb`, so a "
        "new connection reads the newest build."
    ),
)
def published_marts(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    from publish.marts_snapshot import publish_marts

    target = published_warehouse_path()
    current = published_parquet_root(target) / "current"
    with duckdb.get_connection() as con:
        published = publish_marts(con, target, context.run.run_id)
    rows = "\n".join(f"| `marts.{t}` | {n} |" for t, n in published.row_counts.items())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published.path)),
            "file": dg.MetadataValue.path(str(published.file)),
            "parquet_dir": dg.MetadataValue.path(str(published.parquet_dir)),
            "parquet_current": dg.MetadataValue.path(str(current)),
            "version": published.version,
            "tables": dg.MetadataValue.md(f"| table | rows |\n| --- | --- |\n{rows}"),
            "row_counts": dg.MetadataValue.json(published.row_counts),
        }
    )
