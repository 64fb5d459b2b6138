"""XLSX exports of both vendors read like their CSV exports (python-calamine)."""

from __future__ import annotations

from ingest.surveys.xlsx import xlsx_records
from tests.ingest.surveys.vendor import VENDOR, read, scores


def test_cells_become_the_text_a_csv_export_holds() -> None:
    records = xlsx_records(VENDOR / "surveymonkey/xlsx/Support Feedback 2022.xlsx")
    first = records.rows[2]
    assert first[:4] == ["118233364001", "431234588", "2022-08-24 15:05:12", "2022-08-24 15:07:27"]
    assert records.lines[:3] == [1, 2, 3]


def test_each_vendors_xlsx_scores_like_its_csv() -> None:
    pairs = [
        ("qualtrics/Acme+Support+Survey_October+23,+2020_14.31.xlsx",
         "qualtrics/Acme+Support+Survey_October+23,+2020_14.25.csv"),
        ("surveymonkey/xlsx/Support Feedback 2022.xlsx",
         "surveymonkey/expanded/Support Feedback 2022.csv"),
    ]  # fmt: skip
    for xlsx, csv in pairs:
        keys = ["response_id", "question_id", "score"]
        from_xlsx, from_csv = (
            scores(read(p)).query("metric != 'verbatim'").sort_values(keys[:2])[keys]
            for p in (xlsx, csv)
        )
        assert len(from_xlsx) == len(from_csv) > 0
        from_xlsx, from_csv = from_xlsx.values.tolist(), from_csv.values.tolist()
        assert from_xlsx == from_csv, xlsx
