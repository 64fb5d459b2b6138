-- One row per survey response, its newest version: who answered (salted key), when, whether
-- they finished, and the context the survey carried (touchpoint, stage, job, team, channel): the
-- survey mapping (raw.survey_mapping_surveys) names the embedded field of each, read here, so a
-- corrected mapping applies to every response already loaded.
-- A response that answered nothing is still a response (finished = false, answers = 0), so
-- completion rates can be computed.

with

source as (
    select * from {{ source('raw', 'survey_responses') }}
),

answers as (
    select
        survey_id,
        response_id,
        file_sha256,
        sum(case when mapping_status = 'scored' then 1 else 0 end) as scored_answers
    from {{ ref('stg_surveys__answer_scoring') }}
    group by survey_id, response_id, file_sha256
),

surveys as (
    select * from {{ source('raw', 'survey_mapping_surveys') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

-- The same response in several exports (re-exports under other names, partial then full):
-- the newest version wins, the one recorded last, then the one loaded last.
latest as (
    select *
    from source
    qualify row_number() over (
        partition by survey_id, response_id
        order by recorded_at desc, _loaded_at desc, _file_sha256 desc
    ) = 1
),

final as (
    select
        latest.survey_id,
        latest.response_id,
        coalesce(surveys.survey_kind, 'unmapped') as survey_kind,
        case when latest.respondent_email is not null
            then {{ email_key('latest.respondent_email', 'salt.salt') }} end as respondent_key,
        latest.external_ref,
        latest.recorded_at,
        {{ month_start('latest.recorded_at') }} as recorded_month,
        latest.finished,
        nullif(trim({{ json_text('latest.embedded', 'surveys.touchpoint_field') }}), '')
            as touchpoint,
        nullif(trim({{ json_text('latest.embedded', 'surveys.journey_stage_field') }}), '')
            as journey_stage,
        nullif(trim({{ json_text('latest.embedded', 'surveys.job_field') }}), '')
            as job,
        nullif(trim({{ json_text('latest.embedded', 'surveys.team_field') }}), '')
            as team,
        nullif(trim({{ json_text('latest.embedded', 'surveys.channel_field') }}), '')
            as channel,
        latest.layout,
        cast(latest.answers as bigint) as answers,
        cast(coalesce(answers.scored_answers, 0) as bigint) as scored_answers,
        latest._file_sha256 as file_sha256
    from latest
    cross join salt
    left join surveys
        on surveys.survey_id = latest.survey_id
    left join answers
        on answers.survey_id = latest.survey_id
        and answers.response_id = latest.response_id
        and answers.file_sha256 = latest._file_sha256
)

select * from final
