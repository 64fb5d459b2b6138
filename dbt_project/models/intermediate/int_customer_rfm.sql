-- One row per customer: the recency-frequency-monetary summary the CLV models need, in the
-- time unit `clv_time_unit_days` (7 = weeks). Several orders on one day are one purchase.

with

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

-- Observation ends after the last day with orders, so every customer has T > 0.
bounds as (
    select cast({{ dbt.dateadd('day', 1, 'max(ordered_on)') }} as date) as observation_end
    from orders
),

purchases as (
    select
        customer_key,
        ordered_on,
        sum(case when is_returned then 0 else amount_eur end) as value_eur,
        -- an order exported without Margin__c counts at clv_margin_rate of its amount
        sum(case when is_returned then 0 else coalesce(margin_eur, cast(amount_eur * {{ var('clv_margin_rate') }} as decimal(18, 2))) end) as margin_eur
    from orders
    group by customer_key, ordered_on
),

numbered as (
    select
        *,
        row_number() over (partition by customer_key order by ordered_on) as purchase_number
    from purchases
),

summary as (
    select
        customer_key,
        count(*) - 1 as frequency,
        min(ordered_on) as first_order_on,
        max(ordered_on) as last_order_on,
        sum(value_eur) as historic_revenue_eur,
        sum(margin_eur) as historic_margin_eur,
        -- Averages of doubles: Spark rounds the average of a decimal to 6 places, DuckDB does not.
        avg(cast(value_eur as double)) as average_order_value_eur,
        avg(case when purchase_number > 1 then cast(value_eur as double) end)
            as average_repeat_value_eur,
        sum(case when ordered_on >= cast({{ dbt.dateadd('day', -365, 'observation_end') }} as date)
            then value_eur else 0 end) as revenue_last_12_months_eur
    from numbered
    cross join bounds
    group by customer_key
),

final as (
    select
        summary.customer_key,
        summary.frequency,
        cast({{ dbt.datediff('summary.first_order_on', 'summary.last_order_on', 'day') }} as double)
            / {{ var('clv_time_unit_days') }} as recency,
        cast({{ dbt.datediff('summary.first_order_on', 'bounds.observation_end', 'day') }} as double)
            / {{ var('clv_time_unit_days') }} as t,
        summary.first_order_on,
        summary.last_order_on,
        bounds.observation_end,
        cast({{ var('clv_time_unit_days') }} as double) as time_unit_days,
        cast(summary.historic_revenue_eur as decimal(18, 2)) as historic_revenue_eur,
        cast(summary.historic_margin_eur as decimal(18, 2)) as historic_margin_eur,
        cast(summary.average_order_value_eur as double) as average_order_value_eur,
        coalesce(cast(summary.average_repeat_value_eur as double), 0) as average_repeat_value_eur,
        cast(summary.revenue_last_12_months_eur as decimal(18, 2)) as revenue_last_12_months_eur
    from summary
    cross join bounds
)

select * from final
