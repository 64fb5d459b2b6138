-- One row per customer with a non-cancelled order: the business outcomes the key drivers
-- explain. As of the last month end of the data: likelihood to recommend (latest NPS answer),
-- retention (still active), spend change (revenue of the last 12 months minus the 12 before,
-- returns excluded), margin of the last 12 months and whether they are cross-sold.

with

customer_months as (
    select * from {{ ref('int_customer_months') }}
),

bounds as (
    select max(month_end) as last_month_end from customer_months
),

last_state as (
    select customer_months.customer_key, customer_months.is_active, customer_months.is_cross_sold
    from customer_months
    inner join bounds on customer_months.month_end = bounds.last_month_end
),

orders as (
    select
        orders.customer_key,
        orders.amount_eur,
        -- an order exported without Margin__c counts at clv_margin_rate of its amount
        coalesce(
            orders.margin_eur,
            cast(orders.amount_eur * {{ var('clv_margin_rate') }} as decimal(18, 2))
        ) as margin_eur,
        orders.is_returned,
        orders.ordered_on > {{ dbt.dateadd('day', -365, 'bounds.last_month_end') }}
            as is_last_12_months,
        orders.ordered_on <= {{ dbt.dateadd('day', -365, 'bounds.last_month_end') }}
        and orders.ordered_on > {{ dbt.dateadd('day', -730, 'bounds.last_month_end') }}
            as is_prior_12_months
    from {{ ref('stg_salesforce__orders') }} as orders
    cross join bounds
    where not orders.is_cancelled
),

spend as (
    select
        customer_key,
        sum(case when is_last_12_months and not is_returned then amount_eur else 0 end)
            as revenue_12m,
        sum(case when is_prior_12_months and not is_returned then amount_eur else 0 end)
            as revenue_prior_12m,
        sum(case when is_last_12_months and not is_returned then margin_eur else 0 end)
            as margin_12m
    from orders
    group by customer_key
),

nps as (
    select customer_key, nps_score from {{ ref('int_customer_latest_nps') }}
),

keys as (
    select customer_key, customer_id from {{ ref('int_customer_keys') }}
),

final as (
    select
        keys.customer_id,
        cast(nps.nps_score as double) as likelihood_to_recommend,
        case when last_state.is_active then cast(1 as double) else cast(0 as double) end
            as retention,
        cast(spend.revenue_12m - spend.revenue_prior_12m as double) as spend_change_eur,
        cast(spend.margin_12m as double) as margin_last_12_months_eur,
        case when last_state.is_cross_sold then cast(1 as double) else cast(0 as double) end
            as is_cross_sold
    from spend
    inner join keys on keys.customer_key = spend.customer_key
    left join nps on nps.customer_key = spend.customer_key
    left join last_state on last_state.customer_key = spend.customer_key
)

select * from final
