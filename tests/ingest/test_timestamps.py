"""The shared timestamp parser: the date styles real exports carry, time zones, DST."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ingest.timestamps import TimestampError, parse_timestamp, parse_timestamps, zone

DENVER = zone("America/Denver")

CASES = [
    ("2022-08-24 15:07:27", dt.UTC, "2022-08-24 15:07:27"),
    ("2020-10-20T09:14", DENVER, "2020-10-20 15:14:00"),  # MDT, no seconds
    ("2024-05-03T10:00:00.123Z", DENVER, "2024-05-03 10:00:00.123000"),  # offset wins
    ("2020-10-20 09:14:32+02:00", DENVER, "2020-10-20 07:14:32"),
    ("2022-08-24T15:07:27+0530", dt.UTC, "2022-08-24 09:37:27"),
    ("08/24/2022 03:07:27 PM", dt.UTC, "2022-08-24 15:07:27"),
    ("08/24/2022 12:09:00 AM", dt.UTC, "2022-08-24 00:09:00"),
    ("08/24/2022 12:47:19 PM", dt.UTC, "2022-08-24 12:47:19"),
    ("10/20/2020 9:14", DENVER, "2020-10-20 15:14:00"),  # Excel re-save
    ("8/25/22 15:47", dt.UTC, "2022-08-25 15:47:00"),  # two-digit year
    ("1/2/99 0:00", dt.UTC, "1999-01-02 00:00:00"),
    ("12/31/2021", dt.UTC, "2021-12-31 00:00:00"),
    ("2020-11-01 01:30:12", DENVER, "2020-11-01 07:30:12"),  # twice that night: the first
    ("2020-11-01 20:09:31", DENVER, "2020-11-02 03:09:31"),  # MST
]


@pytest.mark.parametrize(("text", "tz", "utc"), CASES)
def test_each_style_reads_to_utc(text: str, tz, utc: str) -> None:
    expected = pd.Timestamp(utc, tz="UTC")
    assert parse_timestamp(text, tz) == expected
    assert parse_timestamps(pd.Series([text]), tz).iloc[0] == expected


@pytest.mark.parametrize(
    "text", ["25/08/2022 03:47:31 PM", "2/30/2022 10:00", "13:00", "08/24/2022 13:07 PM", "soon"]
)
def test_what_cannot_be_read_is_refused_with_the_styles_it_accepts(text: str) -> None:
    with pytest.raises(TimestampError, match=r"cannot parse timestamp .* \(expected ISO 8601"):
        parse_timestamp(text)
    assert pd.isna(parse_timestamps(pd.Series([text])).iloc[0])


def test_day_first_only_when_asked() -> None:
    values = pd.Series(["25/08/2022 03:47:31 PM", "01/02/2022 10:00", "2022-08-24 15:07"])
    day_first = parse_timestamps(values, dt.UTC, day_first=True)
    assert [str(v) for v in day_first] == [
        "2022-08-25 15:47:31+00:00",
        "2022-02-01 10:00:00+00:00",
        "2022-08-24 15:07:00+00:00",
    ]
    assert str(parse_timestamps(values, dt.UTC).iloc[1]) == "2022-01-02 10:00:00+00:00"


def test_empty_values_are_missing_not_errors() -> None:
    assert parse_timestamp("  ") is None
    assert parse_timestamps(pd.Series(["", None], dtype=object)).isna().all()


def test_zones_by_name_offset_or_utc() -> None:
    assert zone("Z") is dt.UTC and zone(None) is dt.UTC
    assert zone("-07:00").utcoffset(None) == dt.timedelta(hours=-7)
    with pytest.raises(TimestampError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")
