"""Sentiment and themes of every customer text: reviews, survey verbatims, ticket subjects.

Input: one row per text (source, record_key, text, language); output adds the VADER sentiment
(None for non-English or empty text), its label and status, the themes the taxonomy finds and
the first of them as the primary theme (the taxonomy's order is the tie-break).
"""

from __future__ import annotations

import json

import pandas as pd

from analytics.sentiment import score_sentiment
from analytics.themes import ThemeTaxonomy, tag_themes

COLUMNS = [
    "source",
    "record_key",
    "language",
    "sentiment",
    "sentiment_label",
    "sentiment_status",
    "themes",
    "primary_theme",
]


def text_signals(texts: pd.DataFrame, taxonomy: ThemeTaxonomy) -> pd.DataFrame:
    """Score `texts` (columns source, record_key, text, language)."""
    if texts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    scored = score_sentiment(texts["text"].tolist(), texts["language"].tolist())
    themes = tag_themes(texts["text"].tolist(), taxonomy)
    order = {theme_id: i for i, theme_id in enumerate(taxonomy.theme_ids)}
    out = texts[["source", "record_key", "language"]].reset_index(drop=True).copy()
    out["sentiment"] = scored["sentiment"].to_numpy()
    out["sentiment_label"] = scored["sentiment_label"].to_numpy()
    out["sentiment_status"] = scored["sentiment_status"].to_numpy()
    out["themes"] = [json.dumps(t) for t in themes]
    out["primary_theme"] = [min(t, key=order.get) if t else None for t in themes]
    return out[COLUMNS]
