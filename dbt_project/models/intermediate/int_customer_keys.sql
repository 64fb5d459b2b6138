-- One row per customer the warehouse knows: every account, every customer with an order and
-- every customer an experience signal resolved to. `customer_id` is a dense integer in the
-- order of customer_key, so the Python marts index their large frames by it (not by a
-- 64-character hash) and a frame sorted by either key has the same row order.
-- The ids are assigned on every build: join on them within one build, never store them.

with

customers as (
    select customer_key, segment, primary_job, territory, business_unit, primary_channel
    from {{ ref('int_customers') }}
),

jobs as (
    select job_id, value_stream_id from {{ ref('jobs') }}
),

known_keys as (
    select customer_key from customers
    union
    select customer_key from {{ ref('stg_salesforce__orders') }}
    where customer_key is not null
    union
    select customer_key from {{ ref('int_experience_events') }}
    where customer_key is not null
),

final as (
    select
        cast(row_number() over (order by known_keys.customer_key) as integer) as customer_id,
        known_keys.customer_key,
        coalesce(customers.primary_job, 'unknown') as job_id,
        coalesce(customers.segment, 'unknown') as segment,
        jobs.value_stream_id,
        -- Null without an account, so such a customer is in no territory, brand or channel
        -- scope (as in marts.metric_values).
        customers.territory,
        customers.business_unit,
        customers.primary_channel
    from known_keys
    left join customers on customers.customer_key = known_keys.customer_key
    left join jobs on jobs.job_id = coalesce(customers.primary_job, 'unknown')
)

select * from final
