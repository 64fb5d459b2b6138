"""List, retry or retire the files that failed to load (see README, "When a file fails").

    python -m ingest.failed_files list [SOURCE]
    python -m ingest.failed_files retry SOURCE SHA256_PREFIX
    python -m ingest.failed_files retire SOURCE SHA256_PREFIX --why "superseded by the Q3 export"

`retry` reads the file again on the next run of its source (after, say, a fix in the
configuration it depends on); `retire` gives up on it: the `failed_files` check passes again
and the reason stays in `raw.load_log`. A corrected file needs neither: new bytes load as a new
file. Works on the warehouse of `ROX_WAREHOUSE` (no run may be writing to it).
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from common.settings import archive_dir, warehouse_path
from ingest.file_loads import failure_note
from ingest.load_log import (
    LOAD_LOG,
    RETIRED,
    RETRY,
    ensure_bookkeeping_tables,
    outstanding_failures,
    set_failed_file_status,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.failed_files", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="failed files not replaced yet")
    listing.add_argument("source", nargs="?")
    for name in ("retry", "retire"):
        command = commands.add_parser(name)
        command.add_argument("source")
        command.add_argument("sha256_prefix")
        command.add_argument("--why", required=name == "retire")
    args = parser.parse_args(argv)
    with duckdb.connect(str(warehouse_path())) as con:
        ensure_bookkeeping_tables(con)
        if args.command == "list":
            every = con.execute(f"select distinct source from {LOAD_LOG} order by 1").fetchall()
            sources = [args.source] if args.source else [s for (s,) in every]
            for source in sources:
                for name, sha, reason, at in outstanding_failures(con, source):
                    print(f"{source}\t{sha[:12]}\t{name}\t{at:%Y-%m-%d %H:%M}\t{reason}")
            return 0
        status = RETRY if args.command == "retry" else RETIRED
        changed = set_failed_file_status(con, args.source, args.sha256_prefix, status, args.why)
        if not changed:
            print(
                f"no failed file of {args.source} starts with {args.sha256_prefix}", file=sys.stderr
            )
            return 1
        if status == RETIRED:
            for (sha,) in con.execute(
                f"select distinct file_sha256 from {LOAD_LOG} where source = ? and "
                "starts_with(file_sha256, ?)",
                [args.source, args.sha256_prefix],
            ).fetchall():
                failure_note(archive_dir(), args.source, sha).unlink(missing_ok=True)
        print(f"{args.command}: {', '.join(changed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
