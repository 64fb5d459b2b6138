"""Load survey exports dropped in `$ROX_LANDING_DIR/surveys/` into raw.

Each new file (by SHA-256) is archived and read (`ingest.surveys`), and in one transaction its
responses go to `raw.survey_responses` (one row per response, those that answered nothing
included) and its answers to `raw.survey_answers` (one row per answered question, the answer as
exported with its question id). What a question measures is not applied here: the mapping is
landed as tables (`ingest.survey_mapping_tables`) on every load and dbt scores the answers, so a
corrected mapping re-scores all history. Rejected rows (an unreadable date, a mangled id) go to
`raw.rejected_rows` with file, line, field, value and reason, and the rest of the file loads; a
file whose layout is unknown, whose survey cannot be told, or with too many rejected rows fails
alone (`ingest.file_loads`). A file that failed is read
again when the mapping changes. The same response in several exports is stored as often as it was
exported; staging keeps its newest version.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ingest.file_loads import FileLoad, LoadReport, check_rejected_share, load_landed_files
from ingest.landing import landed_files
from ingest.load_log import (
    RAW_SCHEMA,
    ensure_bookkeeping_tables,
    now_utc,
    record_load,
    record_rejects,
)
from ingest.survey_mapping import SurveyMapping
from ingest.survey_mapping_tables import land_survey_mapping
from ingest.surveys import read_survey_export

SOURCE = "survey_answers"
FOLDER = "surveys"
PATTERNS = ("*.csv", "*.tsv", "*.xlsx")
TABLE = f"{RAW_SCHEMA}.{SOURCE}"
RESPONSES_TABLE = f"{RAW_SCHEMA}.survey_responses"
KEY = ["survey_id", "response_id", "question_id"]
RESPONSE_METADATA = ["recorded_at", "finished", "respondent_email", "external_ref", "embedded"]

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
    _source_file varchar,
    _file_sha256 varchar,
    _loaded_at timestamp
);
create table if not exists {RESPONSES_TABLE} (
    survey_id varchar not null,
    response_id varchar not null,
    recorded_at timestamp not null,
    finished boolean not null,
    respondent_email varchar,
    external_ref varchar,
    embedded varchar,
    layout varchar,
    source_row bigint,
    answers bigint not null,
    _source_file varchar,
    _file_sha256 varchar,
    _loaded_at timestamp
)
"""


def survey_files(landing_root: Path) -> list[Path]:
    files = {p for pattern in PATTERNS for p in landed_files(landing_root, FOLDER, pattern)}
    return sorted(files)


def _naive_utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_convert("UTC").dt.tz_localize(None)


def _answers_as_exported(read) -> pd.DataFrame:
    """The answers with their response's metadata, as exported: no meaning applied."""
    meta = read.responses[["survey_id", "response_id", *RESPONSE_METADATA, "layout"]]
    answers = read.answers.merge(meta, on=["survey_id", "response_id"], how="left")
    answers["recorded_at"] = _naive_utc(answers["recorded_at"])
    return answers


def _load_file(con, path: Path, archived: Path, sha256: str, mapping) -> FileLoad:
    read = read_survey_export(archived, mapping)
    answers = _answers_as_exported(read)
    rejects = read.rejects
    rejected_lines = rejects.drop_duplicates("line_number").sort_values("line_number")
    check_rejected_share(
        path.name,
        read.records,
        [f"line {r.line_number}, field {r.field}: {r.reason}" for r in rejected_lines.itertuples()],
    )
    loaded_at = now_utc()
    counts = read.answers.groupby(["survey_id", "response_id"]).size().rename("answers")
    responses = read.responses.join(counts, on=["survey_id", "response_id"])
    responses["answers"] = responses["answers"].fillna(0).astype("int64")
    responses["recorded_at"] = _naive_utc(responses["recorded_at"])
    stamp = {"_source_file": path.name, "_file_sha256": sha256, "_loaded_at": loaded_at}
    con.register("rox_survey_frame", answers.assign(**stamp))
    con.register("rox_survey_responses", responses.assign(**stamp))
    con.begin()
    try:
        con.execute(f"insert into {TABLE} by name select * from rox_survey_frame")
        con.execute(f"insert into {RESPONSES_TABLE} by name select * from rox_survey_responses")
        record_rejects(con, SOURCE, path.name, sha256, rejects, loaded_at)
        record_load(
            con, SOURCE, path.name, sha256, archived, len(answers), len(rejected_lines),
            loaded_at, records_in_file=read.records, config_sha256=mapping.sha256,
        )  # fmt: skip
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("rox_survey_frame")
        con.unregister("rox_survey_responses")
    notes = {"responses": len(responses), "filtered": read.filtered, "layout": read.layout}
    return FileLoad(path.name, sha256, len(answers), len(rejected_lines), notes=notes)


def ensure_survey_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_bookkeeping_tables(con)
    created = not con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'survey_responses'"
    ).fetchall()[0][0]
    con.execute(_DDL)
    if created:  # a warehouse from before responses were kept: derive them from the answers
        con.execute(
            f"""
            insert into {RESPONSES_TABLE} by name
            select survey_id, response_id, min(recorded_at) as recorded_at,
                   coalesce(bool_and(finished), true) as finished,
                   max(respondent_email) as respondent_email, max(external_ref) as external_ref,
                   max(embedded) as embedded, max(layout) as layout, min(source_row) as source_row,
                   count(*) as answers, _source_file, _file_sha256, max(_loaded_at) as _loaded_at
            from {TABLE} group by survey_id, response_id, _source_file, _file_sha256
            """
        )


def load_survey_files(
    con: duckdb.DuckDBPyConnection,
    landing_root: Path,
    archive_root: Path,
    mapping: SurveyMapping,
) -> LoadReport:
    """Load every new survey export, then land the mapping (resolved for every survey id raw
    holds) for dbt to apply; a file that fails is logged and the others still load."""
    ensure_survey_tables(con)
    report = load_landed_files(
        con,
        SOURCE,
        survey_files(landing_root),
        archive_root,
        lambda path, archived, sha256: _load_file(con, path, archived, sha256, mapping),
        config_sha256=mapping.sha256,
    )
    land_survey_mapping(con, mapping)
    return report
