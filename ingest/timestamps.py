"""The one timestamp parser every reader shares: the date styles real exports carry, to UTC.

Accepted (examples in docs/surveys.md, "Dates and time zones"):

- ISO 8601 with `T` or a space, with or without seconds, fractions and an offset:
  `2022-08-24 15:07:27`, `2020-10-20T09:14`, `2024-05-03T10:00:00.123Z`,
  `2020-10-20 09:14:32+02:00`.
- Month first, as US tools and Excel re-saves write it: `M/D/YYYY H:MM[:SS]` with an optional
  `AM`/`PM` and two-digit years: `08/24/2022 03:07:27 PM`, `10/20/2020 9:14`, `8/25/22 15:47`.
  A two-digit year is 20yy below 30 and 19yy from 30 (Excel's rule). A date alone is midnight.
- Day first (`24/08/2022 15:07`) only when the caller says so (`day_first`, from the mapping).

A timestamp without an offset is read in `zone` (the source's time zone, UTC by default) and
converted to UTC. A wall time that occurs twice when clocks go back is its first occurrence
(daylight time); one skipped when they go forward moves forward to the next valid time.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
)
_ISO = (
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    rf"(?:[T ]+{_TIME})?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_SLASH = (
    r"^(?P<first>\d{1,2})/(?P<second_part>\d{1,2})/(?P<year>\d{4}|\d{2})"
    rf"(?:[ T]+{_TIME}"
    r"\s*(?P<meridiem>[AaPp]\.?[Mm]\.?)?)?$"
)
ISO_PATTERN, SLASH_PATTERN = re.compile(_ISO), re.compile(_SLASH)
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")
TWO_DIGIT_YEAR_PIVOT = 30
ACCEPTED = (
    "ISO 8601 (2022-08-24 15:07:27, 2022-08-24T15:07:27Z) or month first "
    "(08/24/2022 03:07:27 PM, 8/24/22 15:07)"
)


class TimestampError(ValueError):
    """A time zone or timestamp that cannot be read; the message names what was wrong."""


def zone(name: str | None) -> dt.tzinfo:
    """An IANA zone name, "Z"/"UTC", or a fixed offset such as -07:00 (None: UTC)."""
    if name is None or name in ("Z", "UTC", ""):
        return dt.UTC
    offset = _OFFSET.match(name)
    if offset:
        return dt.timezone(_offset_minutes(offset) * dt.timedelta(minutes=1))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise TimestampError(f"unknown time zone {name!r}") from err


def _offset_minutes(match: re.Match) -> int:
    sign = -1 if match.group(1) == "-" else 1
    return sign * (int(match.group(2)) * 60 + int(match.group(3) or 0))


def accepted_styles(day_first: bool = False) -> str:
    return ACCEPTED.replace("month first", "day first") if day_first else ACCEPTED


def parse_timestamp(
    value: str | None, tz: dt.tzinfo = dt.UTC, day_first: bool = False
) -> dt.datetime | None:
    """One timestamp as an aware UTC datetime; None for an empty value; TimestampError if bad."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if ISO_PATTERN.match(text):  # the fast path of the API's timestamps; same rules
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            return moment.astimezone(dt.UTC)
        if tz is dt.UTC:
            return moment.replace(tzinfo=dt.UTC)
    parsed = parse_timestamps(pd.Series([str(value)], dtype=object), tz, day_first)
    if pd.isna(parsed.iloc[0]):
        expected = accepted_styles(day_first)
        raise TimestampError(f"cannot parse timestamp {value!r} (expected {expected})")
    return parsed.iloc[0].to_pydatetime()


def parse_timestamps(
    values: pd.Series, tz: dt.tzinfo = dt.UTC, day_first: bool = False
) -> pd.Series:
    """A column of timestamp texts as UTC (`datetime64[us, UTC]`); NaT where a text is empty or
    cannot be read (callers tell the two apart by the text and reject the row)."""
    text = values.astype("string").str.strip()
    iso = text.str.extract(ISO_PATTERN)
    slash = text.str.extract(SLASH_PATTERN)
    is_iso = iso["year"].notna().to_numpy()

    def number(frame: pd.DataFrame, column: str, default: int = 0) -> np.ndarray:
        return pd.to_numeric(frame[column], errors="coerce").fillna(default).to_numpy("int64")

    first, second_part = number(slash, "first"), number(slash, "second_part")
    slash_year = number(slash, "year")
    slash_year = np.where(
        slash["year"].str.len().to_numpy(na_value=0) == 2,
        np.where(slash_year < TWO_DIGIT_YEAR_PIVOT, 2000 + slash_year, 1900 + slash_year),
        slash_year,
    )
    month = np.where(is_iso, number(iso, "month"), second_part if day_first else first)
    day = np.where(is_iso, number(iso, "day"), first if day_first else second_part)
    year = np.where(is_iso, number(iso, "year"), slash_year)
    hour = np.where(is_iso, number(iso, "hour"), number(slash, "hour"))
    minute = np.where(is_iso, number(iso, "minute"), number(slash, "minute"))
    second = np.where(is_iso, number(iso, "second"), number(slash, "second"))
    fraction = np.where(is_iso, iso["fraction"], slash["fraction"])
    nanos = (
        pd.Series(fraction, dtype="string").str.ljust(9, "0").str[:9].pipe(pd.to_numeric).fillna(0)
    ).to_numpy("int64")

    meridiem = slash["meridiem"].str.lower().str[0].to_numpy(na_value="")
    bad_12h = (meridiem != "") & ((hour < 1) | (hour > 12))
    hour = np.where(meridiem == "p", hour % 12 + 12, np.where(meridiem == "a", hour % 12, hour))
    matched = is_iso | slash["first"].notna().to_numpy()
    valid = matched & ~bad_12h & (hour <= 23) & (minute <= 59) & (second <= 59)

    naive = pd.to_datetime(
        pd.DataFrame(
            {
                "year": np.where(valid, year, 1970),
                "month": np.where(valid, month, 1),
                "day": np.where(valid, day, 1),
                "hour": hour * valid,
                "minute": minute * valid,
                "second": second * valid,
            }
        ),
        errors="coerce",
    ) + pd.to_timedelta(nanos, unit="ns")
    naive = naive.where(valid & _day_exists(year, month, day))

    offsets = iso["offset"].to_numpy(na_value="")
    has_offset = offsets != ""
    local = naive.where(~has_offset).dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    result = local.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if has_offset.any():
        minutes = np.array([_offset_of(o) for o in offsets], dtype="int64")
        fixed = (naive - pd.to_timedelta(minutes, unit="m")).dt.tz_localize("UTC")
        result = result.where(~has_offset, fixed.astype("datetime64[us, UTC]"))
    result.index = values.index
    return result


def _offset_of(text: str) -> int:
    if not text or text == "Z":
        return 0
    return _offset_minutes(_OFFSET.match(text))


def _day_exists(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether year-month-day is a real date (to_datetime would roll 2/30 over otherwise)."""
    ok = (month >= 1) & (month <= 12) & (day >= 1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    days = lengths[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    return ok & (day <= days)
