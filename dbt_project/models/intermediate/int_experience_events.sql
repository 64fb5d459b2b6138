-- One row per experience signal: a survey answer, a review, a support ticket, an order event.
-- Scores share one 0-100 scale (mapping in int_experience_events.yml); sentiment and themes
-- come from the text of the signal where it has one (raw.text_signals, scored from
-- stg_feedback__texts). The intermediate models of scores read this; the mart
-- fct_experience_events publishes it.

with

customers as (
    select customer_key, segment, primary_job, territory, business_unit, primary_channel
    from {{ ref('int_customers') }}
),

touchpoints as (
    select touchpoint_id, stage_id from {{ ref('touchpoints') }}
),

signal_map as (
    select source, signal, touchpoint_id from {{ ref('signal_touchpoints') }}
),

signals as (
    select * from {{ source('raw', 'text_signals') }}
),

responses as (
    select * from {{ ref('int_survey_responses_resolved') }}
),

survey_events as (
    select
        'survey' as source,
        answers.metric as signal,
        answers.survey_id || '|' || answers.response_id || '|' || answers.question_id as event_id,
        responses.customer_key,
        answers.recorded_at as occurred_at,
        coalesce(by_value.touchpoint_id, by_survey.touchpoint_id, by_theme.touchpoint_id)
            as touchpoint_id,
        answers.score as raw_score,
        case answers.metric
            when 'nps' then answers.score * 10
            when 'csat' then (answers.score - 1) * 25
            when 'ces' then (answers.score - 1) * 100 / cast(6 as double)
        end as score_0_100,
        signals.sentiment,
        signals.themes,
        signals.primary_theme
    from {{ ref('stg_surveys__answers') }} as answers
    inner join responses
        on responses.survey_id = answers.survey_id
        and responses.response_id = answers.response_id
    left join signals
        on signals.source = 'survey_verbatim'
        and signals.record_key
            = answers.survey_id || '|' || answers.response_id || '|' || answers.question_id
    left join signal_map as by_value
        on by_value.source = 'survey' and by_value.signal = answers.touchpoint
    left join signal_map as by_survey
        on by_survey.source = 'survey_id' and by_survey.signal = answers.survey_id
    left join signal_map as by_theme
        on by_theme.source = 'review_theme'
        and by_theme.signal = signals.primary_theme
        and answers.metric = 'verbatim'
),

review_events as (
    select
        'review' as source,
        reviews.provider as signal,
        reviews.provider || '|' || reviews.review_id as event_id,
        reviews.customer_key,
        reviews.created_at as occurred_at,
        signal_map.touchpoint_id,
        cast(reviews.stars as double) as raw_score,
        cast(reviews.stars - 1 as double) * 25 as score_0_100,
        signals.sentiment,
        signals.themes,
        signals.primary_theme
    from {{ ref('int_reviews_resolved') }} as reviews
    left join signals
        on signals.source = 'review'
        and signals.record_key = reviews.provider || '|' || reviews.review_id
    left join signal_map
        on signal_map.source = 'review_theme' and signal_map.signal = signals.primary_theme
),

tickets as (
    select * from {{ ref('int_tickets_resolved') }}
),

-- A ticket is a contact about the touchpoint of its category: it counts as a negative signal
-- with no score (its text's sentiment counts). How fast support first replied is a scored
-- signal of the support touchpoint: within 1 hour = 100, 8 hours or more = 0, linear between.
ticket_events as (
    select
        'ticket' as source,
        tickets.category as signal,
        'ticket|' || cast(tickets.ticket_id as string) as event_id,
        tickets.customer_key,
        tickets.created_at as occurred_at,
        signal_map.touchpoint_id,
        cast(null as double) as raw_score,
        cast(null as double) as score_0_100,
        signals.sentiment,
        signals.themes,
        signals.primary_theme
    from tickets
    left join signals
        on signals.source = 'ticket' and signals.record_key = cast(tickets.ticket_id as string)
    left join signal_map
        on signal_map.source = 'ticket_category' and signal_map.signal = tickets.category
    union all
    select
        'ticket' as source,
        'first_reply' as signal,
        'ticket_reply|' || cast(tickets.ticket_id as string) as event_id,
        tickets.customer_key,
        tickets.first_reply_at as occurred_at,
        'support' as touchpoint_id,
        cast(tickets.first_reply_minutes as double) as raw_score,
        -- Doubles throughout: Spark would round decimal arithmetic to 6 places.
        least(
            cast(100 as double),
            greatest(
                cast(0 as double),
                (480 - cast(tickets.first_reply_minutes as double)) * 100 / 420
            )
        ) as score_0_100,
        cast(null as double) as sentiment,
        cast(null as string) as themes,
        cast(null as string) as primary_theme
    from tickets
    where tickets.first_reply_minutes is not null
),

orders as (
    select * from {{ ref('stg_salesforce__orders') }}
    where not is_cancelled and delivered_on is not null
),

order_events as (
    select
        'order' as source,
        case when orders.is_delivered_late then 'late_delivery' else 'on_time_delivery' end
            as signal,
        'delivery|' || orders.order_id as event_id,
        orders.customer_key,
        cast(orders.delivered_on as timestamp) as occurred_at,
        signal_map.touchpoint_id,
        cast(orders.delivery_delay_days as double) as raw_score,
        case when orders.is_delivered_late then 0.0 else 100.0 end as score_0_100,
        cast(null as double) as sentiment,
        cast(null as string) as themes,
        cast(null as string) as primary_theme
    from orders
    left join signal_map
        on signal_map.source = 'order_event'
        and signal_map.signal
            = case when orders.is_delivered_late then 'late_delivery' else 'on_time_delivery' end
    union all
    select
        'order' as source,
        'return' as signal,
        'return|' || orders.order_id as event_id,
        orders.customer_key,
        cast(orders.delivered_on as timestamp) as occurred_at,
        signal_map.touchpoint_id,
        cast(null as double) as raw_score,
        cast(null as double) as score_0_100,
        cast(null as double) as sentiment,
        cast(null as string) as themes,
        cast(null as string) as primary_theme
    from orders
    left join signal_map
        on signal_map.source = 'order_event' and signal_map.signal = 'return'
    where orders.is_returned
),

unioned as (
    select * from survey_events
    union all
    select * from review_events
    union all
    select * from ticket_events
    union all
    select * from order_events
),

final as (
    select
        unioned.event_id,
        unioned.source,
        unioned.signal,
        unioned.customer_key,
        unioned.occurred_at,
        {{ month_start('unioned.occurred_at') }} as occurred_month,
        coalesce(customers.primary_job, 'unknown') as job,
        coalesce(customers.segment, 'unknown') as segment,
        touchpoints.stage_id,
        unioned.touchpoint_id,
        cast(unioned.score_0_100 as double) as score_0_100,
        unioned.raw_score,
        cast(unioned.sentiment as double) as sentiment,
        unioned.themes,
        unioned.primary_theme,
        -- The customer's dimensions: territory, business unit and primary sales channel.
        coalesce(customers.territory, 'unknown') as territory,
        coalesce(customers.business_unit, 'unknown') as business_unit,
        coalesce(customers.primary_channel, 'unknown') as channel
    from unioned
    left join customers on customers.customer_key = unioned.customer_key
    left join touchpoints on touchpoints.touchpoint_id = unioned.touchpoint_id
)

select * from final
