-- One row per customer with a delivered order: the operational metrics at the start of the
-- chain of CX value (delivery, returns, support speed), which cx_value_chain links to
-- experience and outcomes.

with

deliveries as (
    select
        customer_key,
        -- Doubles: Spark would round the average of a decimal.
        avg(case when is_delivered_late then cast(0 as double) else cast(1 as double) end)
            as on_time_delivery_rate,
        avg(case when is_returned then cast(1 as double) else cast(0 as double) end) as return_rate
    from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled and delivered_on is not null
    group by customer_key
),

tickets as (
    select
        customer_key,
        avg(cast(first_reply_minutes as double)) as mean_first_reply_minutes,
        avg(cast(resolution_minutes as double)) as mean_resolution_minutes
    from {{ ref('int_tickets_resolved') }}
    where customer_key is not null
    group by customer_key
),

keys as (
    select customer_key, customer_id from {{ ref('int_customer_keys') }}
),

final as (
    select
        keys.customer_id,
        deliveries.on_time_delivery_rate,
        deliveries.return_rate,
        tickets.mean_first_reply_minutes,
        tickets.mean_resolution_minutes
    from deliveries
    inner join keys on keys.customer_key = deliveries.customer_key
    left join tickets on tickets.customer_key = deliveries.customer_key
)

select * from final
