"""The volume gate: a day whose records far exceed the source's trailing median is suspect.

A generator that clamps late answers onto the last day, a re-sent export or a stuck retry all
show as one day holding many times a usual day's records. Per source, each of the latest
`JUDGED_DAYS` days is compared with the median of the `TRAILING_DAYS` days before it (days
without records count as 0); a day above `MAX_RATIO` times that median (and above
`MIN_RECORDS`, so a quiet source's 3 against 1 does not warn) is a spike. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

TRAILING_DAYS = 28
JUDGED_DAYS = 7
MAX_RATIO = 4.0
MIN_RECORDS = 20


@dataclass(frozen=True)
class Spike:
    source: str
    day: pd.Timestamp
    records: int
    trailing_median: float

    @property
    def ratio(self) -> float:
        return self.records / self.trailing_median if self.trailing_median else float("inf")


def volume_spikes(
    daily: pd.DataFrame,
    *,
    trailing_days: int = TRAILING_DAYS,
    judged_days: int = JUDGED_DAYS,
    max_ratio: float = MAX_RATIO,
    min_records: int = MIN_RECORDS,
) -> list[Spike]:
    """The spikes in `daily` (source, volume_date, records) among each source's latest
    `judged_days` days, sorted by source and day."""
    spikes = []
    for source, rows in daily.groupby("source", sort=True):
        counts = rows.set_index(pd.to_datetime(rows["volume_date"]))["records"].astype(float)
        full = pd.date_range(counts.index.min(), counts.index.max(), freq="D")
        counts = counts.reindex(full, fill_value=0.0)
        # The median of the trailing window before each day (not including it).
        median = counts.shift(1).rolling(trailing_days, min_periods=trailing_days).median()
        for day in full[-judged_days:]:
            records, base = counts[day], median[day]
            if pd.isna(base) or records < min_records:
                continue
            if records > max_ratio * max(base, 1.0):
                spikes.append(Spike(str(source), day, int(records), float(base)))
    return spikes
