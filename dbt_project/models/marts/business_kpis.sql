-- One row per month: the business KPIs the board reads next to the experience scores.
-- Definitions are in business_kpis.yml and the README.

with

customer_months as (
    select * from {{ ref('int_customer_months') }}
),

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
),

spend as (
    select * from {{ ref('stg_marketing__spend') }}
),

spine as (
    select * from {{ ref('int_month_spine') }}
),

customer_kpis as (
    select
        month_start,
        cast(count(*) as bigint) as customers,
        cast(sum(case when is_new then 1 else 0 end) as bigint) as new_customers,
        cast(sum(case when is_active then 1 else 0 end) as bigint) as active_customers,
        cast(sum(case when was_active then 1 else 0 end) as bigint) as active_customers_at_start,
        cast(sum(case when was_active and not is_active then 1 else 0 end) as bigint) as churned_customers,
        cast(sum(case when orders_in_month > 0 then 1 else 0 end) as bigint) as purchasing_customers,
        cast(sum(case when orders_in_month > 0 and not is_new then 1 else 0 end) as bigint)
            as repeat_purchasing_customers,
        cast(sum(case when is_cross_sold then 1 else 0 end) as bigint) as cross_sold_customers
    from customer_months
    group by month_start
),

order_kpis as (
    select
        order_month as month_start,
        cast(count(*) as bigint) as orders,
        cast(sum(case when is_returned then 1 else 0 end) as bigint) as returned_orders,
        sum(case when is_returned then 0 else amount_eur end) as revenue_eur,
        -- over the orders whose margin is known (Margin__c exported); null when none is
        sum(case when is_returned then 0 else margin_eur end) as margin_eur,
        cast(count(margin_eur) as bigint) as margin_known_orders
    from orders
    group by order_month
),

ticket_kpis as (
    select created_month as month_start, cast(count(*) as bigint) as tickets
    from tickets
    group by created_month
),

spend_kpis as (
    select spend_month as month_start, sum(spend_eur) as marketing_spend_eur
    from spend
    group by spend_month
),

joined as (
    select
        spine.month_start,
        coalesce(customer_kpis.customers, 0) as customers,
        coalesce(customer_kpis.new_customers, 0) as new_customers,
        coalesce(customer_kpis.active_customers, 0) as active_customers,
        coalesce(customer_kpis.active_customers_at_start, 0) as active_customers_at_start,
        coalesce(customer_kpis.churned_customers, 0) as churned_customers,
        coalesce(customer_kpis.purchasing_customers, 0) as purchasing_customers,
        coalesce(customer_kpis.repeat_purchasing_customers, 0) as repeat_purchasing_customers,
        coalesce(customer_kpis.cross_sold_customers, 0) as cross_sold_customers,
        coalesce(order_kpis.orders, 0) as orders,
        coalesce(order_kpis.returned_orders, 0) as returned_orders,
        cast(coalesce(order_kpis.revenue_eur, 0) as decimal(18, 2)) as revenue_eur,
        cast(case when coalesce(order_kpis.orders, 0) = 0 then 0
            when order_kpis.margin_known_orders > 0 then order_kpis.margin_eur end
            as decimal(18, 2)) as margin_eur,
        coalesce(ticket_kpis.tickets, 0) as tickets,
        cast(coalesce(spend_kpis.marketing_spend_eur, 0) as decimal(18, 2)) as marketing_spend_eur
    from spine
    left join customer_kpis on customer_kpis.month_start = spine.month_start
    left join order_kpis on order_kpis.month_start = spine.month_start
    left join ticket_kpis on ticket_kpis.month_start = spine.month_start
    left join spend_kpis on spend_kpis.month_start = spine.month_start
),

final as (
    select
        *,
        cast(tickets * {{ var('cost_per_ticket_eur') }} as decimal(18, 2)) as support_cost_eur,
        cast(marketing_spend_eur as double) / nullif(new_customers, 0) as cac_eur,
        cast(tickets * {{ var('cost_per_ticket_eur') }} as double)
            / nullif(active_customers, 0) as cost_to_serve_eur,
        cast(churned_customers as double) / nullif(active_customers_at_start, 0) as churn_rate,
        cast(repeat_purchasing_customers as double)
            / nullif(purchasing_customers, 0) as repeat_purchase_rate,
        cast(returned_orders as double) / nullif(orders, 0) as return_rate,
        cast(cross_sold_customers as double) / nullif(customers, 0) as cross_sell_rate,
        cast(active_customers as double)
            / {{ var('addressable_market_customers') }} as penetration
    from joined
)

select * from final
