-- One row per experience signal, as published: the signals are assembled (and scored) in
-- int_experience_events, which the intermediate models of scores also read.

with

events as (
    select * from {{ ref('int_experience_events') }}
),

final as (
    select
        event_id,
        source,
        signal,
        customer_key,
        occurred_at,
        occurred_month,
        job,
        segment,
        stage_id,
        touchpoint_id,
        score_0_100,
        raw_score,
        sentiment,
        themes,
        primary_theme
    from events
)

select * from final
