"""The survey checks: the blocking raw gate (suite `raw_surveys`), the WARN check `failed_files`,
and the WARN checks on the survey mapping applied in staging: `unmapped_questions` (surveys and
questions the mapping does not cover, with counts: their answers stay in raw, never dropped) and
`rejected_answers` (answers of mapped questions that cannot be scored, with file, line, field,
value and reason)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from expectations.raw_surveys import RAW_SURVEY_BATCHES, RAW_SURVEY_SUITE, SUITE_NAME
from ingest.survey_loader import SOURCE
from orchestration.quality.gates import build_raw_suite_checks
from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.failed_files import build_failed_files_check

survey_suite_checks = build_raw_suite_checks(SUITE_NAME, RAW_SURVEY_SUITE, RAW_SURVEY_BATCHES)
survey_failed_files_checks = [build_failed_files_check(SOURCE)]

UNMAPPED = dg.AssetKey(["staging", "stg_surveys__unmapped_questions"])
REJECTED = dg.AssetKey(["staging", "stg_surveys__rejected_answers"])
MAX_LISTED = 50  # rows shown in the check's table; the counts cover all


def _markdown(header: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        lines.append(f"| ... {len(rows) - MAX_LISTED} more |" + " |" * (len(header) - 1))
    return "\n".join(lines)


@dg.asset_check(
    asset=UNMAPPED,
    name="unmapped_questions",
    blocking=False,
    pool=WAREHOUSE_POOL,
    description=(
        "WARN while survey answers belong to a survey or question the survey mapping does not "
        "cover (a new survey, a mistyped key): lists survey and question ids with counts. The "
        "answers stay in raw and are scored on the first run after the mapping names them."
    ),
)
def unmapped_questions(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        rows = con.execute(
            "select survey_id, question_id, survey_unmapped, answers, responses, "
            "first_source_file from staging.stg_surveys__unmapped_questions "
            "order by survey_id, question_id"
        ).fetchall()
    surveys = sorted({r[0] for r in rows if r[2]})
    answers = sum(r[3] for r in rows)
    table = _markdown(
        ["survey", "question", "survey unmapped", "answers", "responses", "first file"],
        [(f"`{s}`", f"`{q}`", "yes" if u else "no", f"{a:,}", f"{n:,}", f"`{f}`")
         for s, q, u, a, n, f in rows],
    )  # fmt: skip
    description = "every survey answer is mapped"
    if rows:
        description = (
            f"{answers:,} answer(s) of {len(rows)} unmapped question(s) kept in raw, unscored"
            + (f"; surveys the mapping does not name: {', '.join(surveys)}" if surveys else "")
        )
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "unmapped_questions": dg.MetadataValue.md(table),
            "unmapped_answers": answers,
            "unmapped_surveys": dg.MetadataValue.json(surveys),
        },
    )


@dg.asset_check(
    asset=REJECTED,
    name="rejected_answers",
    blocking=False,
    pool=WAREHOUSE_POOL,
    description=(
        "WARN while answers of mapped questions cannot be scored (not a number nor a label, "
        "outside the metric's scale): lists file, line, field, value and reason."
    ),
)
def rejected_answers(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        rows = con.execute(
            "select source_file, line_number, field, value, reason "
            "from staging.stg_surveys__rejected_answers "
            "order by source_file, line_number, field"
        ).fetchall()
    table = _markdown(
        ["file", "line", "field", "value", "reason"],
        [(f"`{f}`", line, f"`{q}`", f"`{v}`", r) for f, line, q, v, r in rows],
    )
    first = f"; first: {rows[0][0]} line {rows[0][1]}, {rows[0][2]}: {rows[0][4]}" if rows else ""
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(rows):,} survey answer(s) cannot be scored{first}"
        if rows
        else "every mapped answer is on its scale",
        metadata={"rejected_answers": dg.MetadataValue.md(table), "rejected": len(rows)},
    )


survey_mapping_checks = [unmapped_questions, rejected_answers]
