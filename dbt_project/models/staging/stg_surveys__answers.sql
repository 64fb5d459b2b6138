-- One row per answer whose question the survey mapping names (metrics and verbatims), latest
-- load of each answer. The respondent's email becomes the salted key; answers to unmapped
-- questions stay in raw.

with

source as (
    select * from {{ source('raw', 'survey_answers') }}
    where metric is not null
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by survey_id, response_id, question_id order by _loaded_at desc
    ) = 1
),

final as (
    select
        latest.survey_id,
        latest.response_id,
        latest.question_id,
        latest.metric,
        latest.score,
        case when latest.metric = 'verbatim' then latest.answer end as verbatim,
        latest.survey_kind,
        {{ email_key('latest.respondent_email', 'salt.salt') }} as respondent_key,
        latest.external_ref,
        latest.recorded_at,
        {{ month_start('latest.recorded_at') }} as recorded_month,
        latest.finished,
        latest.touchpoint,
        latest.journey_stage,
        latest.job,
        latest.team,
        latest.channel
    from latest
    cross join salt
)

select * from final
