-- Active customers per month and customer scope (main job, segment, value stream, territory,
-- business unit, primary sales channel): the population ROX values experience movement on. The job is the account's main job as recorded
-- (null when it has none), so each customer counts once per month.

with

customer_months as (
    select customer_key, month_start from {{ ref('int_customer_months') }}
    where is_active
),

customers as (
    select customer_key, primary_job, segment, territory, business_unit, primary_channel
    from {{ ref('int_customers') }}
),

jobs as (
    select job_id, value_stream_id from {{ ref('jobs') }}
),

final as (
    select
        customer_months.month_start,
        customers.primary_job as job_id,
        customers.segment,
        jobs.value_stream_id,
        customers.territory,
        customers.business_unit,
        customers.primary_channel,
        cast(count(*) as bigint) as active_customers
    from customer_months
    inner join customers on customers.customer_key = customer_months.customer_key
    left join jobs on jobs.job_id = customers.primary_job
    group by customer_months.month_start, customers.primary_job, customers.segment,
        jobs.value_stream_id, customers.territory, customers.business_unit,
        customers.primary_channel
)

select * from final
