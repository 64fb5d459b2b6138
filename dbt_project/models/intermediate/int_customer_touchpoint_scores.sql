-- The experience signals compacted to one row per customer x month x touchpoint: how many
-- signals there were and the count and sum of their 0-100 scores, for every scored signal and
-- for the drivers' signals (relationship NPS answers left out: they are the outcome the
-- drivers explain). A mean over any set of these rows is sum / count, so the drivers, ROX and
-- loyalty read this instead of one row per event. Signals without a resolved customer keep a
-- row with a null customer_id (they count in touchpoint performance); relationship NPS has a
-- null touchpoint.

with

events as (
    select
        customer_key,
        occurred_month,
        touchpoint_id,
        score_0_100,
        source = 'survey' and signal = 'nps' as is_relationship_nps
    from {{ ref('int_experience_events') }}
),

keys as (
    select customer_key, customer_id from {{ ref('int_customer_keys') }}
),

final as (
    select
        keys.customer_id,
        events.occurred_month as month_start,
        events.touchpoint_id,
        cast(count(*) as integer) as signals,
        cast(count(events.score_0_100) as integer) as scores,
        coalesce(sum(events.score_0_100), 0.0) as score_sum_0_100,
        cast(count(case when not events.is_relationship_nps then events.score_0_100 end)
            as integer) as driver_scores,
        coalesce(sum(case when not events.is_relationship_nps then events.score_0_100 end), 0.0)
            as driver_score_sum_0_100
    from events
    left join keys on keys.customer_key = events.customer_key
    group by keys.customer_id, events.occurred_month, events.touchpoint_id
)

select * from final
