"""Sentiment and themes of the texts that landed, as an enrichment table next to raw."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from common.settings import raw_parquet_dir, theme_taxonomy_path
from ingest.parquet_export import export_table_parquet
from orchestration.resources import WAREHOUSE_POOL

TEXT_SOURCES = [
    "trustpilot_reviews",
    "google_play_reviews",
    "app_store_reviews",
    "survey_answers",
    "zendesk_tickets",
]

# The latest version of every text: review texts, survey verbatims, ticket subjects.
TEXTS_SQL = """
with texts as (
    select 'review' as source, provider || '|' || review_id as record_key,
           concat_ws('. ', title, text) as text, language,
           coalesce(updated_at, created_at) as version
    from raw.trustpilot_reviews
    union all
    select 'review', provider || '|' || review_id, concat_ws('. ', title, text), language,
           coalesce(updated_at, created_at)
    from raw.google_play_reviews
    union all
    select 'review', provider || '|' || review_id, concat_ws('. ', title, text), language,
           coalesce(updated_at, created_at)
    from raw.app_store_reviews
    union all
    select 'survey_verbatim', survey_id || '|' || response_id || '|' || question_id, answer,
           null, _loaded_at
    from raw.survey_answers
    where metric = 'verbatim'
    union all
    select 'ticket', id::varchar, subject, null, coalesce(updated_at, created_at)
    from raw.zendesk_tickets
)
select source, record_key, text, language
from texts
qualify row_number() over (partition by source, record_key order by version desc) = 1
order by source, record_key
"""


def compute_text_signals(con, taxonomy_path) -> int:
    """Score every text in the raw tables into raw.text_signals; return the rows written."""
    from analytics.text_signals import text_signals
    from analytics.themes import load_theme_taxonomy

    signals = text_signals(con.execute(TEXTS_SQL).df(), load_theme_taxonomy(taxonomy_path))
    con.register("rox_text_signals", signals)
    try:
        con.execute(
            "create or replace table raw.text_signals as "
            "select source, record_key, language, cast(sentiment as double) as sentiment, "
            "sentiment_label, sentiment_status, themes, primary_theme from rox_text_signals"
        )
    finally:
        con.unregister("rox_text_signals")
    return len(signals)


@dg.asset(
    key=["raw", "text_signals"],
    deps=[["raw", name] for name in TEXT_SOURCES],
    group_name="raw",
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
        rows = compute_text_signals(con, theme_taxonomy_path())
        stats = con.execute(
            "select count(*) filter (where sentiment_status = 'scored'), "
            "count(*) filter (where sentiment_status = 'not_english'), "
            "count(*) filter (where primary_theme is not null) from raw.text_signals"
        ).fetchall()[0]
        export_table_parquet(con, "raw", "text_signals", raw_parquet_dir())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "scored": stats[0],
            "not_english": stats[1],
            "with_theme": stats[2],
        }
    )
