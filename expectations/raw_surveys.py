"""The Great Expectations suite on the raw survey answers: keys present and unique within a
file, timestamps plausible, every score on its metric's scale."""

from __future__ import annotations

from expectations.scope import RawBatches
from expectations.spec import (
    Expect,
    between_where,
    in_set,
    not_null,
    unique_together,
    valid_date,
)

SUITE_NAME = "raw_surveys"
METRICS = ["nps", "csat", "ces", "enps", "verbatim"]

RAW_SURVEY_SUITE: dict[str, list[Expect]] = {
    "survey_answers": [
        not_null("survey_id"),
        not_null("response_id"),
        not_null("question_id"),
        unique_together("survey_id", "response_id", "question_id", "_file_sha256"),
        not_null("recorded_at"),
        valid_date("recorded_at"),
        in_set("metric", METRICS),
        between_where("score", 0, 10, "metric", "nps"),
        between_where("score", 0, 10, "metric", "enps"),
        between_where("score", 1, 5, "metric", "csat"),
        between_where("score", 1, 7, "metric", "ces"),
    ],
}

# The survey readers keep the line each response starts on (`source_row`).
RAW_SURVEY_BATCHES = {"survey_answers": RawBatches(line_sql="source_row", csv_files=False)}
