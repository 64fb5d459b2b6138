-- The frontline's voice: per month, team and touchpoint the team owns, what employees wrote in
-- the pulse survey (volume, sentiment, the theme they mention most) beside what customers said
-- about the same touchpoint that month (their theme mentioned most). The team owns the
-- touchpoint in the touchpoints seed (owning_team). Small samples: sentiment and the share of
-- negative verbatims need `min_observations_metric` verbatims, else null with is_suppressed.

with

employee_verbatims as (
    select
        answers.recorded_month as month_start,
        answers.team,
        signals.sentiment,
        signals.primary_theme
    from {{ ref('stg_surveys__answers') }} as answers
    left join {{ source('raw', 'text_signals') }} as signals
        on signals.source = 'survey_verbatim'
        and signals.record_key
            = answers.survey_id || '|' || answers.response_id || '|' || answers.question_id
    where
        answers.survey_kind = 'employee'
        and answers.metric = 'verbatim'
        and answers.team is not null
        and answers.recorded_month is not null
),

owned_touchpoints as (
    select owning_team as team, touchpoint_id from {{ ref('touchpoints') }}
),

employee_months as (
    select
        month_start,
        team,
        cast(count(*) as bigint) as employee_verbatims,
        cast(count(sentiment) as bigint) as employee_scored_verbatims,
        avg(sentiment) as employee_mean_sentiment,
        -- of doubles: Spark keeps the average of the decimal literals 1.0 / 0.0 to 5 places
        avg(cast(case when sentiment <= -0.05 then 1 when sentiment is not null then 0 end
            as double)) as employee_share_negative
    from employee_verbatims
    group by month_start, team
),

employee_theme_counts as (
    select month_start, team, primary_theme, count(*) as mentions
    from employee_verbatims
    where primary_theme is not null
    group by month_start, team, primary_theme
),

employee_top_themes as (
    select
        month_start,
        team,
        primary_theme as employee_top_theme,
        cast(mentions as bigint) as employee_top_theme_mentions
    from employee_theme_counts
    qualify row_number() over (
        partition by month_start, team order by mentions desc, primary_theme
    ) = 1
),

customer_theme_counts as (
    select occurred_month as month_start, touchpoint_id, primary_theme, count(*) as mentions
    from {{ ref('int_experience_events') }}
    where primary_theme is not null and touchpoint_id is not null
    group by occurred_month, touchpoint_id, primary_theme
),

customer_top_themes as (
    select
        month_start,
        touchpoint_id,
        primary_theme as customer_top_theme,
        cast(mentions as bigint) as customer_top_theme_mentions
    from customer_theme_counts
    qualify row_number() over (
        partition by month_start, touchpoint_id order by mentions desc, primary_theme
    ) = 1
),

customer_mentions as (
    select month_start, touchpoint_id, cast(sum(mentions) as bigint) as customer_theme_mentions
    from customer_theme_counts
    group by month_start, touchpoint_id
),

{% set floor = var('min_observations_metric') %}
final as (
    select
        employee_months.month_start,
        employee_months.team,
        owned_touchpoints.touchpoint_id,
        employee_months.employee_verbatims,
        employee_months.employee_scored_verbatims,
        {{ unless_suppressed('employee_months.employee_mean_sentiment',
            'employee_months.employee_scored_verbatims', floor) }} as employee_mean_sentiment,
        {{ unless_suppressed('employee_months.employee_share_negative',
            'employee_months.employee_scored_verbatims', floor) }} as employee_share_negative,
        employee_months.employee_scored_verbatims < {{ floor }} as is_suppressed,
        employee_top_themes.employee_top_theme,
        employee_top_themes.employee_top_theme_mentions,
        coalesce(customer_mentions.customer_theme_mentions, 0) as customer_theme_mentions,
        customer_top_themes.customer_top_theme,
        customer_top_themes.customer_top_theme_mentions
    from employee_months
    inner join owned_touchpoints on owned_touchpoints.team = employee_months.team
    left join employee_top_themes
        on employee_top_themes.month_start = employee_months.month_start
        and employee_top_themes.team = employee_months.team
    left join customer_top_themes
        on customer_top_themes.month_start = employee_months.month_start
        and customer_top_themes.touchpoint_id = owned_touchpoints.touchpoint_id
    left join customer_mentions
        on customer_mentions.month_start = employee_months.month_start
        and customer_mentions.touchpoint_id = owned_touchpoints.touchpoint_id
)

select * from final
