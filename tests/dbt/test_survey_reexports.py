"""Re-exports never double count: two differently named exports of one survey give the same
`marts.survey_metrics_monthly` as one export (issue 19), built by dbt from the real loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.pseudonym import ensure_salt
from ingest.survey_loader import load_survey_files
from tests.helpers import PUBLISH_EVERY_VALUE, run_dbt
from tests.ingest.surveys.vendor import MAPPING, VENDOR

FIRST = "qualtrics/Acme+Support+Survey_October+23,+2020_14.25.csv"
SECOND = "qualtrics/Acme Support Survey_October 23, 2020_14.27.tsv"  # choice text, UTF-16
METRICS = (
    "select month_start, survey_kind, metric, scope_type, scope_id, responses, mean_score, "
    "metric_value "
    "from marts.survey_metrics_monthly order by all"
)


def _metrics(tmp_path: Path, files: list[str], monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    landing = tmp_path / "landing" / "surveys"
    landing.mkdir(parents=True)
    for relative in files:
        shutil.copy(VENDOR / relative, landing / Path(relative).name)
    database = tmp_path / "rox.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_salt(con, "test-salt")
        report = load_survey_files(con, tmp_path / "landing", tmp_path / "archive", MAPPING)
    assert len(report.files_loaded) == len(files) and not report.files_failed
    monkeypatch.setenv("ROX_WAREHOUSE", str(database))
    # A handful of answers: publish every value (the floors are tested in test_small_samples).
    vars_ = json.dumps(PUBLISH_EVERY_VALUE)
    result = run_dbt("run", "--select", "+survey_metrics_monthly", "--vars", vars_)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(METRICS).fetchall()


def test_two_differently_named_exports_give_the_metrics_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest
) -> None:
    one = _metrics(tmp_path / "one", [FIRST], monkeypatch)
    two = _metrics(tmp_path / "two", [FIRST, SECOND], monkeypatch)
    assert one == two
    company = {m: (n, v) for _, _, m, scope, _, n, _, v in one if scope == "company"}
    assert company["nps"] == (4, 25.0)  # MANIFEST: 4 responses, NPS +25, CSAT 75 %
    assert company["csat"][0] == 4 and round(company["csat"][1], 2) in (0.75, 75.0)
