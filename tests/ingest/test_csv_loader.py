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
from ingest.csv_loader import load_csv_source
from ingest.file_loads import DiskFullError
from ingest.landing import LandingError, file_sha256
from tests.helpers import INJECTIONS

ORDER_HEADER = (
    "Id,AccountId,OrderNumber,EffectiveDate,Status,TotalAmount,CurrencyIsoCode,Margin__c,"
    "Product_Category__c,Channel__c,Promised_Delivery_Date__c,Delivered_Date__c,Returned__c,CreatedDate,"
    "LastModifiedDate"
)


def order_row(i: int, amount: str = "10.50", date: str = "2025-01-02") -> str:
    return (
        f"801Dm{i:010d}AAA,001Dm0000000001AAA,{i:08d},{date},Activated,{amount},EUR,3.10,office,"
        f"web,2025-01-05,2025-01-04,false,2025-01-02T10:00:00.000Z,2025-01-04T10:00:00.000Z"
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


def test_untypable_rows_are_kept_with_line_field_value_and_reason(con, tmp_path: Path) -> None:
    lines = [
        ORDER_HEADER,
        order_row(1),
        order_row(2, amount="twelve"),
        order_row(3, date="2025-13-45"),
        order_row(4) + ",surplus",
        *[order_row(i) for i in range(5, 65)],
    ]
    write(tmp_path / "landing", "salesforce_orders_bad.csv", lines)
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (61, 3)
    rejected = con.execute(
        "select file_name, line_number, field, reason, raw_text, value from raw.rejected_rows "
        "order by line_number"
    ).fetchall()
    assert [(r[1], r[2], r[5]) for r in rejected] == [
        (3, "TotalAmount", "twelve"),
        (4, "EffectiveDate", "2025-13-45"),
        (5, None, "surplus"),  # the first field past the header's width
    ]
    assert all(r[0] == "salesforce_orders_bad.csv" for r in rejected)
    assert "twelve" in rejected[0][3] and rejected[0][4] == lines[2]
    assert rejected[2][3].startswith("TOO MANY COLUMNS")
    logged = con.execute(
        "select rows_loaded, rows_rejected, records_in_file, status from raw.load_log"
    ).fetchall()
    assert logged == [(61, 3, 64, "loaded")]
    lines_of_rows = con.execute(
        "select min(_source_line), max(_source_line), count(distinct _source_line) "
        "from raw.salesforce_orders"
    ).fetchall()
    assert lines_of_rows == [(2, 65, 61)]


def test_a_file_with_too_many_rejected_rows_fails_whole_with_the_counts(
    con, tmp_path: Path, monkeypatch
) -> None:
    lines = [ORDER_HEADER, *[order_row(i) for i in range(1, 20)]]
    lines += [order_row(20, date="20.01.2025"), order_row(21, date="21.01.2025")]
    write(tmp_path / "landing", "salesforce_orders_de.csv", lines)
    write(tmp_path / "landing", "salesforce_orders_ok.csv", [ORDER_HEADER, order_row(99)])
    report = load(con, tmp_path)
    (failed,) = report.files_failed
    assert failed.file_name == "salesforce_orders_de.csv"
    assert "2 of 21 records rejected (9.5%), more than the 5% allowed" in failed.reason
    assert "line 21, field EffectiveDate" in failed.reason
    assert report.files_loaded == ["salesforce_orders_ok.csv"]
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall() == [(1,)]
    assert con.execute("select count(*) from raw.rejected_rows").fetchall() == [(0,)]
    # The threshold is configuration: at 10% the same file loads, its two rows rejected.
    monkeypatch.setenv("ROX_MAX_REJECTED_SHARE", "0.10")
    (tmp_path / "landing" / "crm" / "salesforce_orders_de.csv").write_text(
        "\n".join(lines) + "\n\n"
    )  # new bytes: a corrected file is a new file
    again = load(con, tmp_path)
    assert again.files_loaded == ["salesforce_orders_de.csv"]
    assert (again.rows_loaded, again.rows_rejected) == (19, 2)


def test_missing_required_column_fails_the_file_naming_it_and_the_columns(
    con, tmp_path: Path
) -> None:
    header = ORDER_HEADER.replace("TotalAmount,", "").replace("AccountId,", "")
    write(tmp_path / "landing", "salesforce_orders_old.csv", [header])
    write(tmp_path / "landing", "salesforce_orders_new.csv", [ORDER_HEADER, order_row(1)])
    report = load(con, tmp_path)
    (failed,) = report.files_failed
    message = failed.reason
    assert message.startswith("salesforce_orders_old.csv: missing required column(s)")
    assert "'AccountId'" in message and "'TotalAmount'" in message
    assert report.files_loaded == ["salesforce_orders_new.csv"]
    logged = con.execute(
        "select file_name, status, reason from raw.load_log order by file_name"
    ).fetchall()
    assert logged == [
        ("salesforce_orders_new.csv", "loaded", None),
        ("salesforce_orders_old.csv", "failed", message),
    ]
    # An unchanged failed file is not read again on the next load.
    assert load(con, tmp_path).files_failed[0].status == "failed_before"
    assert con.execute("select count(*) from raw.load_log").fetchall() == [(2,)]


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
    logged = con.execute("select extra_columns, missing_columns from raw.load_log").fetchall()
    assert logged == [("campaign", "impressions,clicks")]


def test_a_missing_optional_amount_loads_as_null_and_is_logged(con, tmp_path: Path) -> None:
    header = ORDER_HEADER.replace("Margin__c,", "")
    row = order_row(1).replace(",3.10,", ",")
    write(tmp_path / "landing", "salesforce_orders_1.csv", [header, row])
    load(con, tmp_path)
    assert con.execute("select margin_c from raw.salesforce_orders").fetchall() == [(None,)]
    assert con.execute("select missing_columns from raw.load_log").fetchall() == [("Margin__c",)]


def test_empty_and_non_utf8_files_fail_naming_the_file_and_the_first_bad_line(
    con, tmp_path: Path
) -> None:
    write(tmp_path / "landing", "salesforce_orders_empty.csv", [""])
    write(
        tmp_path / "landing", "salesforce_orders_latin1.csv", [ORDER_HEADER + ",Notizé"], "latin-1"
    )
    write(
        tmp_path / "landing",
        "salesforce_orders_row2.csv",
        [ORDER_HEADER, order_row(1).replace("office", "bürobedarf")],
        "latin-1",
    )
    reasons = {f.file_name: f.reason for f in load(con, tmp_path).files_failed}
    assert reasons["salesforce_orders_empty.csv"] == (
        "salesforce_orders_empty.csv: the file is empty (no header row)"
    )
    assert reasons["salesforce_orders_latin1.csv"].startswith(
        "salesforce_orders_latin1.csv: the header (line 1) is not UTF-8 (byte 0xe9 at column"
    )
    # A Latin-1 byte on line 2 of a file whose header is ASCII names line 2, not the header.
    assert reasons["salesforce_orders_row2.csv"].startswith(
        "salesforce_orders_row2.csv: line 2 is not UTF-8 (byte 0xfc at column 85)"
    )


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
        if "into raw.load_log" in query:
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


@pytest.mark.parametrize("rows", [10, 3627, 40_000])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_stray_quote_rejects_its_own_row_and_every_other_row_loads(
    con, tmp_path: Path, rows: int, where: str
) -> None:
    """Issue 26: one unbalanced quote used to drop every row after it, or the whole file."""
    bad = {"start": 1, "middle": rows * 3 // 4, "end": rows}[where]
    lines = [ORDER_HEADER]
    for i in range(1, rows + 1):
        row = order_row(i)
        if i == bad:
            row = row.replace(",office,", ',"office,')  # opens a field that never closes
        elif i == 2:
            row = row.replace(",office,", ',"office, ""A4""\nand more",')  # a real multi-line
        lines.append(row)
    write(tmp_path / "landing", "salesforce_orders_quote.csv", lines)
    report = load(con, tmp_path)
    bad_line = bad + 1 + (1 if bad > 2 else 0)  # header, and row 2 spans two lines
    assert report.files_failed == []
    assert (report.rows_loaded, report.rows_rejected) == (rows - 1, 1)
    rejected = con.execute("select line_number, reason, raw_text from raw.rejected_rows").fetchall()
    assert [(line, reason.split(":")[0]) for line, reason, _ in rejected] == [
        (bad_line, "UNBALANCED QUOTE")
    ]
    assert rejected[0][2] == lines[bad]
    stored = con.execute(
        "select count(*), count(distinct id), max(_source_line) from raw.salesforce_orders"
    ).fetchall()
    assert stored == [(rows - 1, rows - 1, rows + 2 if bad != rows else rows + 1)]
    multi = con.execute(
        "select product_category_c, _source_line from raw.salesforce_orders where id = ?",
        [f"801Dm{2:010d}AAA"],
    ).fetchall()
    assert multi == ([] if bad == 2 else [('office, "A4"\nand more', 3)])
    logged = con.execute("select rows_loaded, rows_rejected, records_in_file from raw.load_log")
    assert logged.fetchall() == [(rows - 1, 1, rows)]


def test_a_stray_quote_in_row_2_of_a_small_file_names_its_line(con, tmp_path: Path) -> None:
    """DuckDB's sniffer used to refuse the whole file naming no line."""
    lines = [ORDER_HEADER, order_row(1).replace("EUR", '"EUR'), order_row(2), order_row(3)]
    write(tmp_path / "landing", "salesforce_orders_small.csv", lines)
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert con.execute("select line_number from raw.rejected_rows").fetchall() == [(2,)]


def test_a_duplicate_id_keeps_the_newest_version_and_rejects_the_other_naming_both_lines(
    con, tmp_path: Path
) -> None:
    old = order_row(7, amount="5.00").replace(
        "2025-01-04T10:00:00.000Z", "2025-01-03T10:00:00.000Z"
    )
    new = order_row(7, amount="9.00")
    lines = [ORDER_HEADER, new, *[order_row(i) for i in range(10, 40)], old]
    write(tmp_path / "landing", "salesforce_orders_dup.csv", lines)
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (31, 1)
    kept = con.execute(
        "select total_amount, _source_line from raw.salesforce_orders where id like '%0007AAA'"
    ).fetchall()
    assert [(float(a), line) for a, line in kept] == [(9.0, 2)]
    rejected = con.execute("select line_number, field, reason, value from raw.rejected_rows")
    assert rejected.fetchall() == [
        (33, "Id", "DUPLICATE KEY: 801Dm0000000007AAA is also on line 2, which is kept",
         "801Dm0000000007AAA")
    ]  # fmt: skip


def test_a_failing_file_among_good_ones_leaves_every_good_file_loaded(con, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing, "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1)])
    write(landing, "salesforce_orders_2.csv", ["Id;AccountId", "x;y"])  # another layout
    write(landing, "salesforce_orders_3.csv", [ORDER_HEADER, order_row(3)])
    report = load(con, tmp_path)
    assert report.files_loaded == ["salesforce_orders_1.csv", "salesforce_orders_3.csv"]
    assert [f.file_name for f in report.files_failed] == ["salesforce_orders_2.csv"]
    assert con.execute("select count(*) from raw.salesforce_orders").fetchall() == [(2,)]
    status = con.execute("select file_name, status from raw.load_log order by 1").fetchall()
    assert status == [
        ("salesforce_orders_1.csv", "loaded"),
        ("salesforce_orders_2.csv", "failed"),
        ("salesforce_orders_3.csv", "loaded"),
    ]
    # Its archive copy stays, as evidence.
    sha = file_sha256(landing / "crm" / "salesforce_orders_2.csv")
    assert (tmp_path / "archive" / "salesforce_orders" / sha / "salesforce_orders_2.csv").exists()


def test_a_full_disk_is_reported_as_such_and_is_retried_not_failed(con, tmp_path: Path) -> None:
    """A full disk used to fail the file as unreadable (a ValueError: never retried)."""
    write(tmp_path / "landing", "salesforce_orders_1.csv", [ORDER_HEADER, order_row(1)])

    def disk_full_on_insert(real, query, *args, **kwargs):
        if query.startswith("insert into raw.salesforce_orders"):
            raise duckdb.IOException(
                'could not write file "rox.duckdb.wal": No space left on device'
            )
        return real.execute(query, *args, **kwargs)

    with pytest.raises(DiskFullError, match="disk full while loading salesforce_orders_1.csv"):
        load_csv_source(
            _ConnectionProxy(con, disk_full_on_insert),
            SALESFORCE_ORDERS,
            tmp_path / "landing",
            tmp_path / "archive",
        )
    assert not isinstance(DiskFullError(), ValueError)  # so the asset's retry policy applies
    assert con.execute("select count(*) from raw.load_log").fetchall() == [(0,)]
    assert load(con, tmp_path).files_loaded == ["salesforce_orders_1.csv"]


def test_a_column_added_to_a_source_joins_a_raw_table_landed_before_it(con, tmp_path: Path) -> None:
    """Orders landed before Channel__c existed keep loading; the new export fills it."""
    old_header = ORDER_HEADER.replace("Channel__c,", "")
    old_row = order_row(1).replace(",office,web,", ",office,")
    write(tmp_path / "landing", "salesforce_orders_1.csv", [old_header, old_row])
    load(con, tmp_path)
    # As a warehouse landed before the column existed has the table: without it.
    con.execute("alter table raw.salesforce_orders drop column channel_c")
    row = order_row(2).replace(",office,web,", ",office,marketplace,")
    write(tmp_path / "landing", "salesforce_orders_2.csv", [ORDER_HEADER, row])
    report = load(con, tmp_path)
    assert (report.rows_loaded, report.rows_rejected) == (1, 0)
    rows = con.execute("select id, channel_c from raw.salesforce_orders order by id").fetchall()
    assert rows == [("801Dm0000000001AAA", None), ("801Dm0000000002AAA", "marketplace")]
