-- One row per customer and month from their first order month on: the activity state behind
-- customers, active customers, churn, repeat purchase and cross-sell.

with

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

spine as (
    select * from {{ ref('int_month_spine') }}
),

monthly_orders as (
    select
        customer_key,
        order_month,
        count(*) as orders_in_month,
        max(ordered_on) as last_order_in_month
    from orders
    group by customer_key, order_month
),

first_months as (
    select customer_key, min(order_month) as first_order_month
    from monthly_orders
    group by customer_key
),

category_firsts as (
    select customer_key, product_category, min(ordered_on) as first_bought_on
    from orders
    group by customer_key, product_category
),

-- A customer is cross-sold from the day they first buy in a second category.
cross_sold as (
    select customer_key, first_bought_on as cross_sold_on
    from category_firsts
    qualify row_number() over (
        partition by customer_key order by first_bought_on, product_category
    ) = 2
),

grid as (
    select
        first_months.customer_key,
        first_months.first_order_month,
        spine.month_start,
        spine.month_end
    from first_months
    inner join spine on spine.month_start >= first_months.first_order_month
),

activity as (
    select
        grid.customer_key,
        grid.month_start,
        grid.month_end,
        grid.month_start = grid.first_order_month as is_new,
        coalesce(monthly_orders.orders_in_month, 0) as orders_in_month,
        max(monthly_orders.last_order_in_month) over (
            partition by grid.customer_key
            order by grid.month_start
            rows between unbounded preceding and current row
        ) as last_order_on,
        cross_sold.cross_sold_on
    from grid
    left join monthly_orders
        on monthly_orders.customer_key = grid.customer_key
        and monthly_orders.order_month = grid.month_start
    left join cross_sold on cross_sold.customer_key = grid.customer_key
),

states as (
    select
        customer_key,
        month_start,
        month_end,
        is_new,
        orders_in_month,
        last_order_on,
        {{ dbt.datediff('last_order_on', 'month_end', 'day') }}
            < {{ var('active_window_days') }} as is_active,
        coalesce(cross_sold_on <= month_end, false) as is_cross_sold
    from activity
),

final as (
    select
        *,
        coalesce(
            lag(is_active) over (partition by customer_key order by month_start), false
        ) as was_active
    from states
)

select * from final
