-- One row per answer whose question the survey mapping names (metrics and verbatims) and that
-- is on its scale, from the newest version of its response (stg_surveys__responses): an answer a
-- later export no longer holds is gone, a response in two exports counts once. Scores come from
-- stg_surveys__answer_scoring (the mapping applied to raw), the survey kind and context from the
-- response. Rejected and unmapped answers are in stg_surveys__rejected_answers and
-- stg_surveys__unmapped_questions, and stay in raw.

with

scoring as (
    select * from {{ ref('stg_surveys__answer_scoring') }}
    where mapping_status in ('scored', 'verbatim')
),

versions as (
    select
        survey_id, response_id, file_sha256, survey_kind, touchpoint, journey_stage, job, team,
        channel
    from {{ ref('stg_surveys__responses') }}
),

latest as (
    select
        scoring.*,
        versions.survey_kind,
        versions.touchpoint,
        versions.journey_stage,
        versions.job,
        versions.team,
        versions.channel
    from scoring
    inner join versions
        on versions.survey_id = scoring.survey_id
        and versions.response_id = scoring.response_id
        and versions.file_sha256 = scoring.file_sha256
    -- one file holds an answer once; a survey id repeated across rows keeps the first line
    qualify row_number() over (
        partition by scoring.survey_id, scoring.response_id, scoring.question_id
        order by scoring.source_row
    ) = 1
),

final as (
    select
        survey_id,
        response_id,
        question_id,
        metric,
        score,
        case when metric = 'verbatim' then answer end as verbatim,
        survey_kind,
        respondent_key,
        external_ref,
        recorded_at,
        {{ month_start('recorded_at') }} as recorded_month,
        finished,
        touchpoint,
        journey_stage,
        job,
        team,
        channel
    from latest
)

select * from final
