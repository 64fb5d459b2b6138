-- One row per customer: segment, job, territory, business unit, acquisition and sales channel
-- and order history.

with

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

marketing_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

-- The first contact of an account is the one marketing acquired.
primary_contacts as (
    select customer_key, contact_key
    from contacts
    qualify row_number() over (partition by customer_key order by created_at, contact_id) = 1
),

channels as (
    select
        primary_contacts.customer_key,
        marketing_contacts.acquisition_channel
    from primary_contacts
    inner join marketing_contacts
        on marketing_contacts.contact_key = primary_contacts.contact_key
    qualify row_number() over (
        partition by primary_contacts.customer_key order by marketing_contacts.created_at
    ) = 1
),

-- The sales channel a customer orders through most (ties: the channel name, so it is stable).
sales_channels as (
    select customer_key, channel as primary_channel
    from (
        select customer_key, channel, count(*) as orders_in_channel
        from orders
        group by customer_key, channel
    ) as by_channel
    qualify row_number() over (
        partition by customer_key order by orders_in_channel desc, channel
    ) = 1
),

order_history as (
    select
        customer_key,
        min(ordered_on) as first_order_on,
        max(ordered_on) as last_order_on,
        count(*) as lifetime_orders,
        sum(case when is_returned then 0 else amount_eur end) as lifetime_revenue_eur
    from orders
    group by customer_key
),

final as (
    select
        accounts.customer_key,
        accounts.segment,
        accounts.primary_job,
        accounts.territory,
        accounts.region,
        accounts.business_unit,
        coalesce(channels.acquisition_channel, 'Unknown') as acquisition_channel,
        coalesce(sales_channels.primary_channel, 'unknown') as primary_channel,
        accounts.created_at,
        order_history.first_order_on,
        {{ month_start('order_history.first_order_on') }} as first_order_month,
        order_history.last_order_on,
        coalesce(order_history.lifetime_orders, 0) as lifetime_orders,
        coalesce(order_history.lifetime_revenue_eur, 0) as lifetime_revenue_eur
    from accounts
    left join channels on channels.customer_key = accounts.customer_key
    left join sales_channels on sales_channels.customer_key = accounts.customer_key
    left join order_history on order_history.customer_key = accounts.customer_key
)

select * from final
