-- How strongly each touchpoint's experience moves loyalty: across customers, the correlation of
-- their mean 0-100 score at the touchpoint with their latest NPS answer. Until the key-driver
-- analysis feeds this, moments that matter are the top `moments_that_matter` touchpoints by
-- this correlation, when it is at least 0.1 over at least 30 customers.

with

-- The drivers' scores (relationship NPS answers left out), summed over months.
customer_scores as (
    select
        customer_id,
        touchpoint_id,
        sum(driver_score_sum_0_100) / sum(driver_scores) as mean_score
    from {{ ref('int_customer_touchpoint_scores') }}
    where customer_id is not null
      and touchpoint_id is not null
      and driver_scores > 0
    group by customer_id, touchpoint_id
),

nps as (
    select keys.customer_id, latest_nps.nps_score
    from {{ ref('int_customer_latest_nps') }} as latest_nps
    inner join {{ ref('int_customer_keys') }} as keys
        on keys.customer_key = latest_nps.customer_key
),

correlations as (
    select
        customer_scores.touchpoint_id,
        cast(count(*) as bigint) as customers,
        corr(customer_scores.mean_score, nps.nps_score) as loyalty_correlation
    from customer_scores
    inner join nps on nps.customer_id = customer_scores.customer_id
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
