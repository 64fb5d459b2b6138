"""What the fault matrix's runs share (`bench.faults`, `bench.fault_runs`): the outcome of one
fault, the content sums of the raw tables, loading a landing folder as the raw assets do, dbt."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from common.settings import DBT_PROJECT_DIR, REPO_ROOT
from ingest.crm import CRM_SOURCES
from ingest.csv_loader import load_csv_source
from ingest.pseudonym import ensure_salt
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping

MAPPING_FILE = REPO_ROOT / "config" / "survey_mapping.yml"
VOLATILE = ("_loaded_at", "archive_path", "loaded_at", "rejected_at", "_archive_path")
LINE = re.compile(r"\bline \d+")


@dataclass
class Outcome:
    fault: str
    rows_lost: int = 0
    rows_duplicated: int = 0
    unclear: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def clean(self) -> bool:
        return not (self.rows_lost or self.rows_duplicated or self.unclear)


def table_sums(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, tuple]:
    """Row count and a content hash of every table of `schemas`, volatile columns left out."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables where table_schema in "
        f"({', '.join('?' * len(schemas))}) order by 1, 2",
        list(schemas),
    ).fetchall()
    sums = {}
    for schema, table in tables:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if c not in VOLATILE
        ]
        select = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
        count, digest = con.execute(
            f"select count(*), md5(coalesce(string_agg(r, '\n' order by r), '')) "
            f"from (select concat_ws('|', {select}) as r from {schema}.{table})"
        ).fetchone()
        sums[f"{schema}.{table}"] = (count, digest)
    return sums


def load_all(con, landing: Path, archive: Path, mapping_file: Path = MAPPING_FILE) -> list[str]:
    """Every CRM source and the surveys, as the raw assets load them; the failure reasons."""
    ensure_salt(con, "fault-matrix-salt")
    reasons = []
    for source in CRM_SOURCES:
        report = load_csv_source(con, source, landing, archive)
        reasons += [f.reason for f in report.files if f.status == "failed"]
    report = load_survey_files(con, landing, archive, load_survey_mapping(mapping_file))
    reasons += [f.reason for f in report.files if f.status == "failed"]
    return reasons


def dbt(database: Path, *args: str) -> None:
    env = {**os.environ, "ROX_WAREHOUSE": str(database), "DO_NOT_TRACK": "1"}
    env["DBT_TARGET_PATH"] = str(database.parent / "dbt_target")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{done.stdout[-3000:]}")
