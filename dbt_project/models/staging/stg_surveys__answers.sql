-- One row per answer whose question the survey mapping names (metrics and verbatims), from the
-- newest version of its response (stg_surveys__responses): an answer a later export no longer
-- holds is gone, a response in two exports counts once. The respondent's email becomes the salted
-- key; answers to unmapped questions stay in raw.

with

source as (
    select * from {{ source('raw', 'survey_answers') }}
    where metric is not null
),

versions as (
    select survey_id, response_id, file_sha256 from {{ ref('stg_surveys__responses') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

latest as (
    select source.*
    from source
    inner join versions
        on versions.survey_id = source.survey_id
        and versions.response_id = source.response_id
        and versions.file_sha256 = source._file_sha256
    -- one file holds an answer once; a survey id repeated across rows keeps the first line
    qualify row_number() over (
        partition by source.survey_id, source.response_id, source.question_id
        order by source.source_row
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
