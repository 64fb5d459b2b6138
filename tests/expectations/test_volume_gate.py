"""The volume gate's statistic: a day far above the source's trailing median is a spike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.volume_gate import volume_spikes


def _daily(source: str, counts: list[int], start: str = "2026-09-01") -> pd.DataFrame:
    days = pd.date_range(start, periods=len(counts), freq="D")
    frame = pd.DataFrame({"source": source, "volume_date": days, "records": counts})
    return frame[frame["records"] > 0]  # the model has no row for a day without records


def test_a_last_day_pile_up_is_a_spike_and_an_ordinary_series_is_not() -> None:
    rng = np.random.default_rng(1)
    usual = list(rng.poisson(120, 60))
    daily = pd.concat(
        [_daily("survey:relationship_nps", [*usual, 14159]), _daily("salesforce_orders", usual)]
    )
    spikes = volume_spikes(daily)
    assert [(s.source, str(s.day.date()), s.records) for s in spikes] == [
        ("survey:relationship_nps", "2026-10-31", 14159)
    ]
    assert 100 < spikes[0].trailing_median < 140 and spikes[0].ratio > 100


def test_the_median_ignores_one_old_spike_and_counts_empty_days_as_zero() -> None:
    # Every other day empty: the median of 28 days is about half a busy day's records.
    counts = [60 if i % 2 else 0 for i in range(40)] + [150]
    spikes = volume_spikes(_daily("zendesk_tickets", counts))
    assert [s.records for s in spikes] == [150]  # 150 > 4 x median 30
    calm = volume_spikes(_daily("zendesk_tickets", [*counts[:-1], 100]))
    assert calm == []  # 100 < 4 x 30


def test_a_quiet_source_and_a_short_history_never_warn() -> None:
    assert volume_spikes(_daily("reviews:app_store", [1] * 40 + [12])) == []  # below 20 records
    assert volume_spikes(_daily("reviews:google_play", [5] * 10 + [500])) == []  # 10 days only
