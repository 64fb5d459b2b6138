-- One row per order date: orders, revenue, margin, returns and delivery punctuality.
-- Incremental by date: DuckDB deletes and re-inserts the window's dates; Spark overwrites the
-- window's date partitions (insert_overwrite), so both engines give the same table.

{{ config(**daily_fact_config('order_date')) }}

with

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
    {% if is_incremental() %}
        and {{ incremental_window('ordered_on', 'order_date') }}
    {% endif %}
),

final as (
    select
        cast(count(*) as bigint) as orders,
        cast(sum(case when is_returned then 0 else amount_eur end) as decimal(18, 2))
            as revenue_eur,
        -- over the orders whose margin is known; null when none of the day's is
        cast(case when count(margin_eur) > 0
            then sum(case when is_returned then 0 else margin_eur end) end as decimal(18, 2))
            as margin_eur,
        cast(sum(case when is_returned then 1 else 0 end) as bigint) as returned_orders,
        cast(sum(case when delivered_on is not null then 1 else 0 end) as bigint)
            as delivered_orders,
        cast(sum(case when is_delivered_late then 1 else 0 end) as bigint) as late_deliveries,
        -- The partition column goes last: Spark's insert overwrite expects it there.
        ordered_on as order_date
    from orders
    group by ordered_on
)

select * from final
