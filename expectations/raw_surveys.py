"""The Great Expectations suite on the raw survey answers: keys present and unique within a
file, timestamps plausible. Raw holds the answers as exported; scales are the survey mapping's,
applied in staging, where an answer off its scale is a row of stg_surveys__rejected_answers
(the WARN check rejected_answers), not a raw-gate failure."""

from __future__ import annotations

from expectations.scope import RawBatches
from expectations.spec import (
    Expect,
    not_null,
    unique_together,
    valid_date,
)

SUITE_NAME = "raw_surveys"

RAW_SURVEY_SUITE: dict[str, list[Expect]] = {
    "survey_answers": [
        not_null("survey_id"),
        not_null("response_id"),
        not_null("question_id"),
        unique_together("survey_id", "response_id", "question_id", "_file_sha256"),
        not_null("recorded_at"),
        valid_date("recorded_at"),
    ],
}

# The survey readers keep the line each response starts on (`source_row`).
RAW_SURVEY_BATCHES = {"survey_answers": RawBatches(line_sql="source_row", csv_files=False)}
