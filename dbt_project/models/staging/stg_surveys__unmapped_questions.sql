-- The questions the survey mapping does not cover, one row per survey and question with how many
-- answers they hold (newest versions of the responses): a survey the mapping does not name at
-- all (a new survey, a mistyped key) or a question it leaves out. Never dropped: the answers stay
-- in raw and are scored on the first build after the mapping names them. The WARN check
-- unmapped_questions lists them.

with

scoring as (
    select * from {{ ref('stg_surveys__answer_scoring') }}
    where mapping_status in ('unmapped_survey', 'unmapped_question')
),

versions as (
    select survey_id, response_id, file_sha256 from {{ ref('stg_surveys__responses') }}
),

final as (
    select
        scoring.survey_id,
        scoring.question_id,
        scoring.mapping_status = 'unmapped_survey' as survey_unmapped,
        count(*) as answers,
        count(distinct scoring.response_id) as responses,
        min(scoring.source_file) as first_source_file
    from scoring
    inner join versions
        on versions.survey_id = scoring.survey_id
        and versions.response_id = scoring.response_id
        and versions.file_sha256 = scoring.file_sha256
    group by scoring.survey_id, scoring.question_id, scoring.mapping_status
)

select * from final
