"""Experience signals and their compact per customer x month x touchpoint rows, as the driver
marts read them (shared by the driver and opportunity tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def experience_signals(seed: int = 8) -> pd.DataFrame:
    """Experience signals: some unlinked, some unscored, some relationship NPS answers."""
    rng = np.random.default_rng(seed)
    n = 3000
    frame = pd.DataFrame(
        {
            "customer_id": pd.array(rng.integers(1, 80, n), dtype="Int32"),
            "month_start": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(rng.integers(0, 5, n) * 31, unit="D"),
            "touchpoint_id": np.array(["delivery", "support", "web", None], dtype=object)[
                rng.integers(0, 4, n)
            ],
            "score_0_100": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 5, n) * 25.0),
            "is_nps": rng.random(n) < 0.15,
        }
    )
    frame.loc[rng.random(n) < 0.1, "customer_id"] = pd.NA
    return frame


def compact_scores(signals: pd.DataFrame) -> pd.DataFrame:
    """As int_customer_touchpoint_scores (nulls are keys too)."""
    driver = signals["score_0_100"].where(~signals["is_nps"])
    grouped = signals.assign(driver=driver).groupby(
        ["customer_id", "month_start", "touchpoint_id"], dropna=False, sort=True
    )
    return pd.DataFrame(
        {
            "signals": grouped.size(),
            "driver_scores": grouped["driver"].count(),
            "driver_score_sum_0_100": grouped["driver"].sum(),
        }
    ).reset_index()
