-- One row per observation of a catalogue metric (config/metrics.yml): what was observed, when,
-- the scopes it belongs to, and its contribution to the metric as numerator / denominator.
-- Every catalogue metric is sum(numerator) / sum(denominator) (or sum(numerator)) over its
-- rows, so one rule aggregates any metric at any grain and scope (marts.metric_values).
-- A mean is (value, 1); a rate (*_rate, a fraction 0-1) is (0 or 1, 1); a percent is (0 or 100, 1); a ratio of totals is (amount, 0) + (0, 1).
-- The CLV metrics observe marts.customer_clv, which the clv_marts asset fits: this model builds
-- after it.

with

customers as (
    select
        customer_key,
        segment,
        primary_job as job_id,
        territory,
        business_unit,
        primary_channel
    from {{ ref('int_customers') }}
),

jobs as (
    select job_id, value_stream_id from {{ ref('jobs') }}
),

ticket_touchpoints as (
    select signal as category, touchpoint_id
    from {{ ref('signal_touchpoints') }}
    where source = 'ticket_category'
),

events as (
    select * from {{ ref('int_experience_events') }}
),

-- Customer feedback: NPS (+100 promoter, -100 detractor), CSAT (100 when 4-5 of 5), CES (mean
-- 1-7), review stars (mean 1-5), sentiment of any text (mean -1..1).
feedback as (
    select
        case
            when events.source = 'review' then 'review_rating'
            else events.signal
        end as metric,
        cast(events.occurred_at as date) as observed_on,
        events.customer_key,
        events.job as job_id,
        events.segment,
        events.touchpoint_id,
        cast(null as string) as team,
        case
            when events.signal = 'nps' and events.raw_score >= 9 then 100.0
            when events.signal = 'nps' and events.raw_score <= 6 then -100.0
            when events.signal = 'nps' then 0.0
            when events.signal = 'csat' and events.raw_score >= 4 then 100.0
            when events.signal = 'csat' then 0.0
            else cast(events.raw_score as double)
        end as numerator,
        1.0 as denominator,
        cast(null as string) as channel
    from events
    where
        (events.source = 'survey' and events.signal in ('nps', 'csat', 'ces'))
        or events.source = 'review'
),

sentiment as (
    select
        'sentiment' as metric,
        cast(occurred_at as date) as observed_on,
        customer_key,
        job as job_id,
        segment,
        touchpoint_id,
        cast(null as string) as team,
        cast(sentiment as double) as numerator,
        1.0 as denominator,
        cast(null as string) as channel
    from events
    where sentiment is not null
),

-- Employee pulse: eNPS by team.
employee as (
    select
        'enps' as metric,
        cast(recorded_at as date) as observed_on,
        cast(null as string) as customer_key,
        cast(null as string) as job_id,
        cast(null as string) as segment,
        cast(null as string) as touchpoint_id,
        team,
        case when score >= 9 then 100.0 when score <= 6 then -100.0 else 0.0 end as numerator,
        1.0 as denominator,
        cast(null as string) as channel
    from {{ ref('stg_surveys__answers') }}
    where metric = 'enps' and score is not null
),

-- Orders: on-time delivery (% of delivered orders) and returns (% of orders not cancelled).
orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled
),

order_metrics as (
    select
        'on_time_delivery' as metric,
        delivered_on as observed_on,
        customer_key,
        'delivery' as touchpoint_id,
        channel,
        case when is_delivered_late then 0.0 else 100.0 end as numerator
    from orders
    where delivered_on is not null
    union all
    select
        'return_rate',
        ordered_on,
        customer_key,
        'product',
        channel,
        case when is_returned then 1.0 else 0.0 end
    from orders
),

-- Support: reply and resolution times in hours, by the touchpoint of the ticket's category.
tickets as (
    select
        tickets.*,
        ticket_touchpoints.touchpoint_id
    from {{ ref('int_tickets_resolved') }} as tickets
    left join ticket_touchpoints on ticket_touchpoints.category = tickets.category
),

ticket_metrics as (
    select
        'first_reply_hours' as metric,
        cast(created_at as date) as observed_on,
        customer_key,
        touchpoint_id,
        cast(first_reply_minutes as double) / 60 as numerator
    from tickets
    where first_reply_minutes is not null
    union all
    select
        'resolution_hours',
        cast(created_at as date),
        customer_key,
        touchpoint_id,
        cast(resolution_minutes as double) / 60
    from tickets
    where resolution_minutes is not null
),

-- Customer months: churn (share of customers active at the start who lapsed in the month) and
-- repeat purchase (share of purchasing customers who had bought before), fractions 0-1 as
-- every *_rate.
customer_months as (
    select * from {{ ref('int_customer_months') }}
),

customer_month_metrics as (
    select
        'churn_rate' as metric,
        month_start as observed_on,
        customer_key,
        case when is_active then 0.0 else 1.0 end as numerator
    from customer_months
    where was_active
    union all
    select
        'repeat_purchase_rate',
        month_start,
        customer_key,
        case when is_new then 0.0 else 1.0 end
    from customer_months
    where orders_in_month > 0
),

-- Ratios of totals: CAC = marketing spend / new customers; cost to serve = support cost
-- (tickets x cost per ticket) / active customers, both per month (as in business_kpis).
ratio_parts as (
    select
        'cac' as metric,
        spend_month as observed_on,
        cast(null as string) as customer_key,
        cast(spend_eur as double) as numerator,
        0.0 as denominator
    from {{ ref('stg_marketing__spend') }}
    union all
    select 'cac', month_start, customer_key, 0.0, 1.0
    from customer_months
    where is_new
    union all
    select
        'cost_to_serve',
        {{ month_start('created_at') }},
        customer_key,
        cast({{ var('cost_per_ticket_eur') }} as double),
        0.0
    from tickets
    union all
    select 'cost_to_serve', month_start, customer_key, 0.0, 1.0
    from customer_months
    where is_active
),

-- An order's own channel; every other observation of a customer takes the customer's primary
-- channel.
by_customer as (
    select
        metric, observed_on, customer_key, touchpoint_id, channel, numerator,
        1.0 as denominator
    from order_metrics
    union all
    select
        metric, observed_on, customer_key, touchpoint_id, cast(null as string), numerator, 1.0
    from ticket_metrics
    union all
    select
        metric, observed_on, customer_key, cast(null as string), cast(null as string),
        numerator, 1.0
    from customer_month_metrics
    union all
    select
        metric, observed_on, customer_key, cast(null as string), cast(null as string),
        numerator, denominator
    from ratio_parts
),

with_customer_scopes as (
    select
        by_customer.metric,
        by_customer.observed_on,
        by_customer.customer_key,
        customers.job_id,
        customers.segment,
        by_customer.touchpoint_id,
        cast(null as string) as team,
        by_customer.numerator,
        by_customer.denominator,
        coalesce(by_customer.channel, customers.primary_channel) as channel
    from by_customer
    left join customers on customers.customer_key = by_customer.customer_key
),

-- CLV: one observation per customer, dated the month of the latest order in the warehouse
-- (the CLV mart is a snapshot as of then). Average CLV is a mean of clv_horizon_eur; revenue at
-- risk sums the last 12 months' revenue of the customers at risk.
clv as (
    select * from {{ source('marts', 'customer_clv') }}
),

clv_as_of as (
    select {{ month_start('max(last_order_on)') }} as month_start from clv
),

clv_metrics as (
    select
        'average_clv' as metric,
        clv_as_of.month_start as observed_on,
        clv.customer_key,
        clv.job as job_id,
        clv.segment,
        cast(null as string) as touchpoint_id,
        cast(null as string) as team,
        cast(clv.clv_horizon_eur as double) as numerator,
        1.0 as denominator,
        cast(null as string) as channel
    from clv
    cross join clv_as_of
    union all
    select
        'revenue_at_risk',
        clv_as_of.month_start,
        clv.customer_key,
        clv.job,
        clv.segment,
        cast(null as string),
        cast(null as string),
        cast(clv.revenue_last_12_months_eur as double),
        0.0,
        cast(null as string)
    from clv
    cross join clv_as_of
    where clv.is_at_risk
),

unioned as (
    select * from feedback
    union all
    select * from sentiment
    union all
    select * from employee
    union all
    select * from with_customer_scopes
    union all
    select * from clv_metrics
),

-- Territory and business unit are the customer's; the channel is the order's or else the
-- customer's primary channel (employee answers and company-wide spend have none).
final as (
    select
        unioned.metric,
        unioned.observed_on,
        unioned.customer_key,
        jobs.value_stream_id,
        unioned.job_id,
        unioned.segment,
        unioned.touchpoint_id,
        unioned.team,
        customers.territory,
        customers.business_unit,
        coalesce(unioned.channel, customers.primary_channel) as channel,
        cast(unioned.numerator as double) as numerator,
        cast(unioned.denominator as double) as denominator
    from unioned
    left join jobs on jobs.job_id = unioned.job_id
    left join customers on customers.customer_key = unioned.customer_key
    where unioned.observed_on is not null
)

select * from final
