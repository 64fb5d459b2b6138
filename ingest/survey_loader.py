"""Load survey exports dropped in `$ROX_LANDING_DIR/surveys/` into `raw.survey_answers`.

Each new file (by SHA-256) is archived, read into long answers (`ingest.surveys`), given its
meaning by the survey mapping (`ingest.survey_mapping`) and appended in one transaction: every
answer as exported, with its metric and score where the mapping names the question; answers
outside their scale, and answers of surveys the mapping does not know, also go to
`raw.rejected_rows` with the file, row, question and reason.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ingest.csv_loader import FileLoad, LoadReport
from ingest.landing import archive_file, file_sha256, landed_files
from ingest.load_log import (
    RAW_SCHEMA,
    already_loaded,
    ensure_bookkeeping_tables,
    now_utc,
    record_load,
    record_rejects,
)
from ingest.survey_mapping import SurveyMapping, apply_survey_mapping
from ingest.surveys import read_survey_export

SOURCE = "survey_answers"
FOLDER = "surveys"
PATTERNS = ("*.csv", "*.tsv")
TABLE = f"{RAW_SCHEMA}.{SOURCE}"
KEY = ["survey_id", "response_id", "question_id"]
MAPPED = ["metric", "score", "survey_kind", "touchpoint", "journey_stage", "job", "team", "channel"]

_DDL = f"""
create table if not exists {TABLE} (
    survey_id varchar not null,
    response_id varchar not null,
    recorded_at timestamp not null,
    question_id varchar not null,
    question_text varchar,
    answer varchar,
    finished boolean,
    respondent_email varchar,
    external_ref varchar,
    embedded varchar,
    layout varchar,
    source_row bigint,
    metric varchar,
    score double,
    survey_kind varchar,
    touchpoint varchar,
    journey_stage varchar,
    job varchar,
    team varchar,
    channel varchar,
    _source_file varchar,
    _file_sha256 varchar,
    _loaded_at timestamp
)
"""


def survey_files(landing_root: Path) -> list[Path]:
    files = {p for pattern in PATTERNS for p in landed_files(landing_root, FOLDER, pattern)}
    return sorted(files)


def _answers_with_meaning(answers: pd.DataFrame, mapping: SurveyMapping):
    scored, rejected = apply_survey_mapping(answers, mapping)
    meaning = scored[KEY + MAPPED].drop_duplicates(KEY)
    frame = answers.merge(meaning, on=KEY, how="left", validate="one_to_one")
    frame["recorded_at"] = frame["recorded_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    rejects = rejected.rename(columns={"source_row": "line_number", "raw_value": "raw_text"})
    return frame, rejects


def _load_file(
    con: duckdb.DuckDBPyConnection, path: Path, archived: Path, sha256: str, mapping
) -> FileLoad:
    answers = read_survey_export(archived)
    frame, rejects = _answers_with_meaning(answers, mapping)
    loaded_at = now_utc()
    frame = frame.assign(_source_file=path.name, _file_sha256=sha256, _loaded_at=loaded_at)
    frame = frame.drop(columns=["source_file"])
    con.register("rox_survey_frame", frame)
    con.begin()
    try:
        con.execute(f"insert into {TABLE} by name select * from rox_survey_frame")
        rejected = record_rejects(con, SOURCE, path.name, sha256, rejects, loaded_at)
        record_load(con, SOURCE, path.name, sha256, archived, len(frame), rejected, loaded_at)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("rox_survey_frame")
    return FileLoad(path.name, sha256, len(frame), rejected, skipped=False)


def load_survey_files(
    con: duckdb.DuckDBPyConnection,
    landing_root: Path,
    archive_root: Path,
    mapping: SurveyMapping,
) -> LoadReport:
    """Load every new survey export; files loaded before (same checksum) are skipped."""
    ensure_bookkeeping_tables(con)
    con.execute(_DDL)
    report = LoadReport(SOURCE)
    for path in survey_files(landing_root):
        sha256 = file_sha256(path)
        if already_loaded(con, SOURCE, sha256):
            report.files.append(FileLoad(path.name, sha256, 0, 0, skipped=True))
            continue
        archived = archive_file(path, archive_root, SOURCE, sha256)
        report.files.append(_load_file(con, path, archived, sha256, mapping))
    return report
