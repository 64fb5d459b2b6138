-- One row per survey response: who answered (salted key), when, whether they finished, and the
-- context the survey carried (touchpoint, stage, job, team, channel).

with

source as (
    select * from {{ source('raw', 'survey_answers') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

-- A response exported again in a later file: keep the answers of its latest load.
latest_load as (
    select *
    from source
    qualify dense_rank() over (
        partition by survey_id, response_id order by _loaded_at desc, _file_sha256 desc
    ) = 1
),

responses as (
    select
        survey_id,
        response_id,
        max(survey_kind) as survey_kind,
        max(respondent_email) as respondent_email,
        max(external_ref) as external_ref,
        min(recorded_at) as recorded_at,
        bool_and(finished) as finished,
        max(touchpoint) as touchpoint,
        max(journey_stage) as journey_stage,
        max(job) as job,
        max(team) as team,
        max(channel) as channel,
        max(layout) as layout,
        count(*) as answers,
        sum(case when metric is not null and metric <> 'verbatim' then 1 else 0 end)
            as scored_answers
    from latest_load
    group by survey_id, response_id
),

final as (
    select
        responses.survey_id,
        responses.response_id,
        coalesce(responses.survey_kind, 'unmapped') as survey_kind,
        case when responses.respondent_email is not null
            then {{ email_key('responses.respondent_email', 'salt.salt') }} end as respondent_key,
        responses.external_ref,
        responses.recorded_at,
        {{ month_start('responses.recorded_at') }} as recorded_month,
        responses.finished,
        responses.touchpoint,
        responses.journey_stage,
        responses.job,
        responses.team,
        responses.channel,
        responses.layout,
        cast(responses.answers as bigint) as answers,
        cast(responses.scored_answers as bigint) as scored_answers
    from responses
    cross join salt
)

select * from final
