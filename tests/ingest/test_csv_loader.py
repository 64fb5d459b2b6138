"""CRM ingestion: land, load once, keep every rejected row with its reason, fail loudly."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.crm import MARKETING_SPEND, SALESFORCE_ORDERS
from ingest.csv_loader import LoadError, MissingColumnsError, load_csv_source
from ingest.landing import LandingError, file_sha256
from tests.helpers import INJECTIONS

ORDER_HEADER = (
    "Id,AccountId,OrderNumber,EffectiveDate,Status,TotalAmount,CurrencyIsoCode,Margin__c,"
    "Product_Category__c,Promised_Delivery_Date__c,Delivered_Date__c,Returned__c,CreatedDate,"
    "LastModifiedDate"
)


def order_row(i: int, amount: str = "10.50", date: str = "2025-01-02") -> str:
    return (
        f"801Dm{i:010d}AAA,001Dm0000000001AAA,{i:08d},{date},Activated,{amount},EUR,3.10,office,"
        f"2025-01-05,2025-01-04,false,2025-01-02T10:00:00.000Z,2025-01-04T10:00:00.000Z"
    )


def write(landing: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = landing / "crm" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def load(con, tmp_path: Path, source=SALESFORCE_ORDERS):
    return load_csv_source(con, source, tmp_path / "landing", tmp_path / "archive")


def test_good_file_loads_typed_rows_with_their_file(con, tmp_path: Path) -> None:
    write(
        tmp_path / "landing", "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1), order_row(2)]
    )
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    rows = con.execute(
        "select id, total_amount, effective_date, returned_c, last_modified_date, _source_file "
        "from raw.salesforce_orders order by id"
    ).fetchall()
    assert rows[0][0] == "801Dm0000000001AAA"
    assert float(rows[0][1]) == 10.5
    assert str(rows[0][2]) == "2025-01-02"
    assert rows[0][3] is False
    assert str(rows[0][4]) == "2025-01-04 10:00:00"
    assert rows[0][5] == "salesforce_orders_1.csv"


def test_the_same_file_twice_loads_nothing_new(con, tmp_path: Path) -> None:
    path = write(tmp_path / "landing", "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1)])
    first = load(con, tmp_path)
    second = load(con, tmp_path)
    # The same bytes under another name are the same file too.
    (path.parent / "salesforce_orders_copy.csv").write_bytes(path.read_bytes())
    third = load(con, tmp_path)
    assert first.files_loaded == ["salesforce_orders_1.csv"]
    assert second.files_loaded == [] and second.files_skipped == ["salesforce_orders_1.csv"]
    assert third.rows_loaded == 0
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall()[0][0] == 1
    assert con.execute("select count(*) from raw.load_log").fetchall()[0][0] == 1


def test_file_is_archived_read_only_under_its_checksum(con, tmp_path: Path) -> None:
    path = write(tmp_path / "landing", "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1)])
    load(con, tmp_path)
    sha = file_sha256(path)
    archived = tmp_path / "archive" / "salesforce_orders" / sha / path.name
    assert archived.read_bytes() == path.read_bytes()
    assert not os.stat(archived).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    logged = con.execute("select file_sha256, archive_path from raw.load_log").fetchall()
    assert logged == [(sha, str(archived))]


def test_untypable_rows_are_kept_with_line_field_and_reason(con, tmp_path: Path) -> None:
    lines = [
        ORDER_HEADER,
        order_row(1),
        order_row(2, amount="twelve"),
        order_row(3, date="2025-13-45"),
        order_row(4) + ",surplus",
        order_row(5),
    ]
    write(tmp_path / "landing", "salesforce_orders_bad.csv", lines)
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (2, 3)
    rejected = con.execute(
        "select file_name, line_number, field, reason, raw_text from raw.rejected_rows "
        "order by line_number"
    ).fetchall()
    assert [(r[1], r[2]) for r in rejected] == [
        (3, "TotalAmount"),
        (4, "EffectiveDate"),
        (5, None),
    ]
    assert all(r[0] == "salesforce_orders_bad.csv" for r in rejected)
    assert "twelve" in rejected[0][3] and rejected[0][4] == lines[2]
    assert rejected[2][3].startswith("TOO MANY COLUMNS")
    logged = con.execute("select rows_loaded, rows_rejected from raw.load_log").fetchall()
    assert logged == [(2, 3)]


def test_missing_required_column_fails_naming_file_and_columns(con, tmp_path: Path) -> None:
    header = ORDER_HEADER.replace("TotalAmount,", "").replace("AccountId,", "")
    write(tmp_path / "landing", "salesforce_orders_old.csv", [header])
    with pytest.raises(MissingColumnsError) as err:
        load(con, tmp_path)
    message = str(err.value)
    assert "salesforce_orders_old.csv" in message
    assert "'AccountId'" in message and "'TotalAmount'" in message
    assert con.execute("select count(*) from raw.load_log").fetchall()[0][0] == 0


def test_optional_column_may_be_absent_and_extra_columns_are_kept(con, tmp_path: Path) -> None:
    write(
        tmp_path / "landing",
        "marketing_spend.csv",
        ["month,channel,spend_eur,campaign", "2025-01-01,Paid Search,100.00,Winter sale"],
    )
    report = load(con, tmp_path, MARKETING_SPEND)
    assert report.rows_loaded == 1
    row = con.execute("select clicks, _extra from raw.marketing_spend").fetchall()[0]
    assert row[0] is None
    assert row[1] == '{"campaign":"Winter sale"}'
    assert con.execute("select extra_columns from raw.load_log").fetchall() == [("campaign",)]


def test_empty_and_non_utf8_files_fail_with_the_file_name(con, tmp_path: Path) -> None:
    write(tmp_path / "landing", "salesforce_orders_empty.csv", [""])
    with pytest.raises(LoadError, match="salesforce_orders_empty.csv: the file is empty"):
        load(con, tmp_path)
    (tmp_path / "landing" / "crm" / "salesforce_orders_empty.csv").unlink()
    write(
        tmp_path / "landing", "salesforce_orders_latin1.csv", [ORDER_HEADER + ",Notizé"], "latin-1"
    )
    with pytest.raises(LoadError, match="salesforce_orders_latin1.csv: the header is not UTF-8"):
        load(con, tmp_path)


def test_a_link_out_of_the_landing_folder_is_refused(con, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text(ORDER_HEADER + "\n")
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "salesforce_orders_x.csv").symlink_to(outside)
    with pytest.raises(LandingError, match="outside the landing folder"):
        load(con, tmp_path)


def test_a_crash_during_the_load_leaves_nothing_and_a_rerun_loads_once(con, tmp_path: Path) -> None:
    write(
        tmp_path / "landing", "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1), order_row(2)]
    )

    class Crash(RuntimeError):
        pass

    def crash_on_load_log(real, query, *args, **kwargs):
        if "load_log values" in query:
            raise Crash("killed while writing the load log")
        return real.execute(query, *args, **kwargs)

    with pytest.raises(Crash):
        load_csv_source(
            _ConnectionProxy(con, crash_on_load_log),
            SALESFORCE_ORDERS,
            tmp_path / "landing",
            tmp_path / "archive",
        )
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall()[0][0] == 0
    assert con.execute("select count(*) from raw.load_log").fetchall()[0][0] == 0
    report = load(con, tmp_path)
    assert report.rows_loaded == 2
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall()[0][0] == 2


class _ConnectionProxy:
    """Forwards to a DuckDB connection but lets a test intercept `execute`."""

    def __init__(self, con, execute):
        self._con = con
        self._execute = execute

    def execute(self, query, *args, **kwargs):
        return self._execute(self._con, query, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_csv_headers_travel_as_quoted_identifiers(injection, tmp_path) -> None:
    crm = tmp_path / "landing" / "crm"
    crm.mkdir(parents=True)
    pd.DataFrame(
        {"month": ["2026-01-01"], "channel": ["Paid Search"], "spend_eur": [1.5], injection: ["v"]}
    ).to_csv(crm / "marketing_spend.csv", index=False)
    with duckdb.connect() as con:
        load_csv_source(con, MARKETING_SPEND, tmp_path / "landing", tmp_path / "archive")
        extra = con.execute("select _extra from raw.marketing_spend").fetchall()
        logged = con.execute("select extra_columns from raw.load_log").fetchall()
    assert [json.loads(e) for (e,) in extra] == [{injection: "v"}]
    assert logged == [(injection,)]
