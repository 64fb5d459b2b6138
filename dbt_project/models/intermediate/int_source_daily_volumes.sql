-- One row per source and day: how many records the source holds for that day (orders by order
-- date, tickets by creation, survey responses by each survey, reviews by each provider). The
-- volume gate (orchestration/quality/volume.py) compares a day with the source's trailing
-- median, so a pile-up such as every late answer moved onto the last day shows as a warning.

with

orders as (
    select 'salesforce_orders' as source, ordered_on as volume_date
    from {{ ref('stg_salesforce__orders') }}
),

tickets as (
    select 'zendesk_tickets' as source, cast(created_at as date) as volume_date
    from {{ ref('stg_zendesk__tickets') }}
),

survey_responses as (
    select 'survey:' || survey_id as source, cast(recorded_at as date) as volume_date
    from {{ ref('stg_surveys__responses') }}
),

reviews as (
    select 'reviews:' || provider as source, cast(created_at as date) as volume_date
    from {{ ref('stg_reviews__reviews') }}
),

unioned as (
    select * from orders
    union all
    select * from tickets
    union all
    select * from survey_responses
    union all
    select * from reviews
),

final as (
    select source, volume_date, cast(count(*) as bigint) as records
    from unioned
    where volume_date is not null
    group by source, volume_date
)

select * from final
