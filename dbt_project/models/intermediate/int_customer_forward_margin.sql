-- One row per customer and month of int_customer_months: the margin of the customer's orders
-- in the following value_per_point_horizon_months months, annualised. ROX's within-customer
-- value per point relates a customer's experience in a month to this forward margin.

{% set horizon = var('value_per_point_horizon_months') | int %}
{% if horizon < 1 or horizon > 12 %}
    {{ exceptions.raise_compiler_error(
        "value_per_point_horizon_months must be an integer 1-12, got " ~ horizon) }}
{% endif %}

with

customer_months as (
    select customer_key, month_start
    from {{ ref('int_customer_months') }}
),

monthly_margin as (
    select
        customer_key,
        order_month as month_start,
        -- an order exported without Margin__c counts at clv_margin_rate of its amount
        sum(
            case
                when is_returned then 0
                else coalesce(margin_eur, amount_eur * {{ var('clv_margin_rate') }})
            end
        ) as margin_eur
    from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
    group by customer_key, order_month
),

with_margin as (
    select
        customer_months.customer_key,
        customer_months.month_start,
        cast(coalesce(monthly_margin.margin_eur, 0) as double) as margin_eur
    from customer_months
    left join monthly_margin
        on monthly_margin.customer_key = customer_months.customer_key
        and monthly_margin.month_start = customer_months.month_start
),

forward as (
    select
        customer_key,
        month_start,
        sum(margin_eur) over (
            partition by customer_key
            order by month_start
            rows between 1 following and {{ horizon }} following
        ) as forward_margin_sum_eur,
        count(*) over (
            partition by customer_key
            order by month_start
            rows between 1 following and {{ horizon }} following
        ) as forward_months
    from with_margin
)

-- The last months of the data have fewer than `horizon` months after them: left out.
select
    customer_key,
    month_start,
    forward_margin_sum_eur * 12.0 / {{ horizon }} as forward_margin_annual_eur
from forward
where forward_months = {{ horizon }}
