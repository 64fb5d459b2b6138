-- The CLV back-test: RFM over a calibration window and the purchases actually made in the
-- holdout window after it (the last `clv_holdout_weeks` weeks of data).

with

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

bounds as (
    select
        cast({{ dbt.dateadd('day', 1, 'max(ordered_on)') }} as date) as observation_end,
        cast({{ dbt.dateadd('day', -7 * var('clv_holdout_weeks') + 1, 'max(ordered_on)') }}
            as date) as calibration_end
    from orders
),

purchases as (
    select distinct customer_key, ordered_on
    from orders
),

calibration as (
    select
        purchases.customer_key,
        count(*) - 1 as frequency,
        min(purchases.ordered_on) as first_order_on,
        max(purchases.ordered_on) as last_order_on
    from purchases
    cross join bounds
    where purchases.ordered_on < bounds.calibration_end
    group by purchases.customer_key
),

holdout as (
    select purchases.customer_key, count(*) as holdout_purchases
    from purchases
    cross join bounds
    where purchases.ordered_on >= bounds.calibration_end
    group by purchases.customer_key
),

final as (
    select
        calibration.customer_key,
        calibration.frequency,
        cast({{ dbt.datediff('calibration.first_order_on', 'calibration.last_order_on', 'day') }}
            as double) / {{ var('clv_time_unit_days') }} as recency,
        cast({{ dbt.datediff('calibration.first_order_on', 'bounds.calibration_end', 'day') }}
            as double) / {{ var('clv_time_unit_days') }} as t,
        cast({{ dbt.datediff('bounds.calibration_end', 'bounds.observation_end', 'day') }}
            as double) / {{ var('clv_time_unit_days') }} as holdout_length,
        bounds.calibration_end,
        bounds.observation_end,
        coalesce(holdout.holdout_purchases, 0) as holdout_purchases
    from calibration
    cross join bounds
    left join holdout on holdout.customer_key = calibration.customer_key
)

select * from final
