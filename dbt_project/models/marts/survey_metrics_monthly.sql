-- NPS, CSAT, CES and eNPS per month, for the whole company, each touchpoint and each team.
-- Standard definitions: NPS and eNPS = % promoters (9-10) - % detractors (0-6), -100..100;
-- CSAT = % top-two-box (4-5 of 5); CES = mean score (1-7). Below `min_answers_survey_metric`
-- answers the value and the mean are null and is_suppressed is true; responses stay.

with

answers as (
    select * from {{ ref('stg_surveys__answers') }}
    where metric in ('nps', 'csat', 'ces', 'enps')
),

scoped as (
    select recorded_month, survey_kind, metric, score, 'company' as scope_type, 'all' as scope_id
    from answers
    union all
    select recorded_month, survey_kind, metric, score, 'touchpoint', touchpoint
    from answers
    where touchpoint is not null
    union all
    select recorded_month, survey_kind, metric, score, 'team', team
    from answers
    where team is not null
),

counted as (
    select
        recorded_month as month_start,
        survey_kind,
        metric,
        scope_type,
        scope_id,
        count(*) as responses,
        sum(case when score >= 9 then 1 else 0 end) as promoters,
        sum(case when score <= 6 then 1 else 0 end) as detractors,
        sum(case when score >= 4 then 1 else 0 end) as top_two_box,
        avg(score) as mean_score
    from scoped
    group by recorded_month, survey_kind, metric, scope_type, scope_id
),

valued as (
    select
        month_start,
        survey_kind,
        metric,
        scope_type,
        scope_id,
        cast(responses as bigint) as responses,
        cast(mean_score as double) as mean_score,
        case
            when metric in ('nps', 'enps')
                then 100.0 * cast(promoters - detractors as double) / responses
            when metric = 'csat' then 100.0 * cast(top_two_box as double) / responses
            else cast(mean_score as double)
        end as metric_value,
        responses < {{ var('min_answers_survey_metric') }} as is_suppressed
    from counted
),

final as (
    select
        month_start,
        survey_kind,
        metric,
        scope_type,
        scope_id,
        responses,
        case when not is_suppressed then mean_score end as mean_score,
        case when not is_suppressed then metric_value end as metric_value,
        is_suppressed
    from valued
)

select * from final
