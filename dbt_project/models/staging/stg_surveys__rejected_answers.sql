-- Answers of mapped questions that the mapping cannot score (not a number nor a label, off the
-- scale, not whole), from the newest version of their response: one row each with the file, the
-- line its response starts on, the question (field), the value and the reason. They never reach
-- stg_surveys__answers; the WARN check rejected_answers lists them. Fixing the file (a new
-- export) or the mapping (a label, the metric) clears them on the next build.

with

scoring as (
    select * from {{ ref('stg_surveys__answer_scoring') }}
    where mapping_status = 'rejected'
),

versions as (
    select survey_id, response_id, file_sha256 from {{ ref('stg_surveys__responses') }}
),

final as (
    select
        scoring.survey_id,
        scoring.response_id,
        scoring.question_id as field,
        scoring.answer as value,
        scoring.metric,
        scoring.rejection_reason as reason,
        scoring.source_file,
        scoring.source_row as line_number,
        scoring.file_sha256
    from scoring
    inner join versions
        on versions.survey_id = scoring.survey_id
        and versions.response_id = scoring.response_id
        and versions.file_sha256 = scoring.file_sha256
)

select * from final
