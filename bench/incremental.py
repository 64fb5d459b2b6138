"""One more day of orders: a Salesforce orders export for the day after the newest order.

The new day repeats the newest day's orders (same accounts, amounts and statuses) one day later,
with new Ids and order numbers, so it lands, passes the gates and builds like a real export.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

ORDERS_GLOB = "salesforce_orders*.csv"
# Salesforce Ids of the demo: a prefix, a zero-padded counter and a suffix.
ID_PATTERN = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>\D*)$")
DATE_COLUMNS = ("EffectiveDate", "Promised_Delivery_Date__c", "Delivered_Date__c")
TIMESTAMP_COLUMNS = ("CreatedDate", "LastModifiedDate")


def _shift(text: str, days: int) -> str:
    """An ISO date or timestamp text moved by `days`, in the same layout (empty stays empty)."""
    if not text:
        return text
    day = dt.date.fromisoformat(text[:10]) + dt.timedelta(days=days)
    return day.isoformat() + text[10:]


def _next_id(value: str, offset: int) -> str:
    match = ID_PATTERN.match(value)
    if match is None:
        raise ValueError(f"not a demo Salesforce Id: {value!r}")
    width = len(match["number"])
    return f"{match['prefix']}{int(match['number']) + offset:0{width}d}{match['suffix']}"


def write_next_day_orders(crm_dir: Path) -> tuple[Path, dt.date, int]:
    """Write `salesforce_orders_<day>_<day+1>.csv` for the day after the newest order.

    Returns the file, the new day and its row count. Reads the existing exports with DuckDB (the
    biggest hold millions of rows) and writes the new one with the csv module in the same layout.
    """
    import duckdb

    files = sorted(crm_dir.glob(ORDERS_GLOB))
    if not files:
        raise FileNotFoundError(f"no {ORDERS_GLOB} in {crm_dir}")
    paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    source = f"read_csv([{paths}], all_varchar = true, header = true, union_by_name = true)"
    with duckdb.connect() as con:
        header = [c[0] for c in con.execute(f"describe select * from {source}").fetchall()]
        newest, max_id, max_number = con.execute(
            "select max(EffectiveDate), max(Id), max(try_cast(OrderNumber as bigint)) "
            f"from {source}"
        ).fetchone()
        rows = con.execute(
            f"select * from {source} where EffectiveDate = ? order by Id", [newest]
        ).fetchall()
    day = dt.date.fromisoformat(newest) + dt.timedelta(days=1)
    position = {name: i for i, name in enumerate(header)}
    target = crm_dir / f"salesforce_orders_{day}_{day + dt.timedelta(days=1)}.csv"
    # Written beside and renamed once complete, so the landing folder never holds half a file.
    partial = target.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for offset, row in enumerate(rows, start=1):
            values = ["" if v is None else v for v in row]
            values[position["Id"]] = _next_id(max_id, offset)
            values[position["OrderNumber"]] = str(max_number + offset)
            for column in (*DATE_COLUMNS, *TIMESTAMP_COLUMNS):
                if column in position:
                    values[position[column]] = _shift(values[position[column]], 1)
            writer.writerow(values)
    partial.replace(target)
    return target, day, len(rows)
