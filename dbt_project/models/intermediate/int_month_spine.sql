-- Every month from the first order month to the last, even a month with no orders.

with

orders as (
    select order_month from {{ ref('stg_salesforce__orders') }}
),

bounds as (
    select
        min(order_month) as first_month,
        max(order_month) as last_month
    from orders
),

digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

-- 0..999 months: a portable number series (no generate_series / sequence needed).
numbers as (
    select ones.d + 10 * tens.d + 100 * hundreds.d as n
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
),

final as (
    select
        cast({{ dbt.dateadd('month', 'numbers.n', 'bounds.first_month') }} as date) as month_start
    from numbers
    cross join bounds
    where numbers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
)

select
    month_start,
    cast({{ dbt.last_day('month_start', 'month') }} as date) as month_end
from final
