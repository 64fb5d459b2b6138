-- How strongly each touchpoint's experience moves loyalty: across customers, the correlation of
-- their mean 0-100 score at the touchpoint with their latest NPS answer. Until the key-driver
-- analysis feeds this, moments that matter are the top `moments_that_matter` touchpoints by
-- this correlation, when it is at least 0.1 over at least 30 customers.

with

events as (
    select customer_key, touchpoint_id, score_0_100
    from {{ ref('fct_experience_events') }}
    where customer_key is not null
      and touchpoint_id is not null
      and score_0_100 is not null
      and not (source = 'survey' and signal = 'nps')
),

customer_scores as (
    select customer_key, touchpoint_id, avg(score_0_100) as mean_score
    from events
    group by customer_key, touchpoint_id
),

nps as (
    select customer_key, nps_score from {{ ref('int_customer_latest_nps') }}
),

correlations as (
    select
        customer_scores.touchpoint_id,
        cast(count(*) as bigint) as customers,
        corr(customer_scores.mean_score, nps.nps_score) as loyalty_correlation
    from customer_scores
    inner join nps on nps.customer_key = customer_scores.customer_key
    group by customer_scores.touchpoint_id
),

final as (
    select
        *,
        rank() over (order by loyalty_correlation desc nulls last) as loyalty_rank,
        coalesce(
            rank() over (order by loyalty_correlation desc nulls last)
                <= {{ var('moments_that_matter') }}
            and loyalty_correlation >= 0.1
            and customers >= 30,
            false
        ) as is_moment_that_matters
    from correlations
)

select * from final
