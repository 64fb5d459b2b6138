"""The `failed_files` check of a file source: WARN while a file that failed is not replaced.

A failed file never blocks the other files or sources (it is logged in raw.load_log and its
archive copy stays); this check keeps it visible until a corrected file of the same name loads
or an operator retires it (`python -m ingest.failed_files retire ...`, README).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.load_log import ensure_bookkeeping_tables, outstanding_failures
from orchestration.resources import WAREHOUSE_POOL


def build_failed_files_check(source: str) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(["raw", source])

    @dg.asset_check(
        asset=asset_key,
        name="failed_files",
        blocking=False,
        pool=WAREHOUSE_POOL,
        description=(
            f"WARN while a file of {source} that failed to load has not been replaced by a "
            "corrected file or retired (raw.load_log status 'failed')."
        ),
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            ensure_bookkeeping_tables(con)
            failures = outstanding_failures(con, source)
        table = "\n".join(
            f"| `{name}` | `{sha[:12]}` | {at:%Y-%m-%d %H:%M} | {reason} |"
            for name, sha, reason, at in failures
        )
        markdown = "| file | sha256 | failed at (UTC) | reason |\n| --- | --- | --- | --- |\n"
        return dg.AssetCheckResult(
            passed=not failures,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(failures)} failed file(s) not replaced"
            if failures
            else "no failed file",
            metadata={
                "failed_files": len(failures),
                "files": dg.MetadataValue.md(markdown + table if failures else "none"),
            },
        )

    return _check
