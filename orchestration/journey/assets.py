"""Sentiment and themes of the texts that landed, as an enrichment table next to raw.

The texts come from the staging model stg_feedback__texts; the scores go to raw.text_signals,
which dbt reads as a source (int_experience_events). So scoring runs between the staging and
intermediate layers and the dbt graph stays raw -> staging -> intermediate -> marts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import raw_parquet_dir, theme_taxonomy_path
from ingest.parquet_export import export_table_parquet
from orchestration.resources import WAREHOUSE_POOL
from orchestration.shared.warehouse_reads import read_relation

if TYPE_CHECKING:
    import pandas as pd

# The texts to score (dbt: the latest version of every review, survey verbatim and ticket
# subject), in a fixed order.
TEXTS = "staging.stg_feedback__texts"


def compute_text_signals(con, taxonomy_path) -> pd.DataFrame:
    """Score every text of stg_feedback__texts into raw.text_signals; return what it wrote."""
    from analytics.text_signals import text_signals
    from analytics.themes import load_theme_taxonomy

    texts = read_relation(
        con, TEXTS, ["source", "record_key", "text", "language"], order_by=["source", "record_key"]
    )
    signals = text_signals(texts, load_theme_taxonomy(taxonomy_path))
    con.register("rox_text_signals", signals)
    try:
        con.execute(
            "create or replace table raw.text_signals as "
            "select source, record_key, language, cast(sentiment as double) as sentiment, "
            "sentiment_label, sentiment_status, themes, primary_theme from rox_text_signals"
        )
    finally:
        con.unregister("rox_text_signals")
    return signals


@dg.asset(
    key=["raw", "text_signals"],
    deps=[["staging", "stg_feedback__texts"]],
    group_name="staging",
    owners=["team:cx-analytics"],
    kinds={"python", "duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "Sentiment (offline VADER lexicon; non-English left unscored) and themes "
        "(config/themes.yml) of every review, survey verbatim and ticket subject."
    ),
)
def text_signals(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        signals = compute_text_signals(con, theme_taxonomy_path())
        export_table_parquet(con, "raw", "text_signals", raw_parquet_dir())
    status = signals["sentiment_status"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(signals),
            "scored": int((status == "scored").sum()),
            "not_english": int((status == "not_english").sum()),
            "with_theme": int(signals["primary_theme"].notna().sum()),
        }
    )
