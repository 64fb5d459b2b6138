-- Every raw survey answer (every file version) with what the survey mapping makes of it: the
-- mapping is applied here, not at load, so a corrected mapping re-scores all history on the
-- next build. mapping_status says where each answer goes: 'scored' and 'verbatim' reach
-- stg_surveys__answers, 'rejected' (not a number, off the scale) stg_surveys__rejected_answers,
-- 'unmapped_survey' and 'unmapped_question' stg_surveys__unmapped_questions; 'ignored' (a column
-- the mapping marks `ignore`, such as Qualtrics' derived NPS group) stays here. Nothing is dropped.

with

answers as (
    select
        survey_id,
        response_id,
        question_id,
        answer,
        trim(answer) as answer_text,
        respondent_email,
        external_ref,
        recorded_at,
        finished,
        source_row,
        _source_file,
        _file_sha256
    from {{ source('raw', 'survey_answers') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

surveys as (
    select survey_id from {{ source('raw', 'survey_mapping_surveys') }}
),

questions as (
    select survey_id, question_id, metric, metric_label, scale_min, scale_max, has_labels
    from {{ source('raw', 'survey_mapping_questions') }}
),

labels as (
    select survey_id, question_id, label, score
    from {{ source('raw', 'survey_mapping_labels') }}
),

mapped as (
    select
        answers.*,
        surveys.survey_id is not null as survey_mapped,
        questions.metric,
        questions.metric_label,
        questions.scale_min,
        questions.scale_max,
        questions.has_labels,
        labels.score as label_score,
        -- a plain decimal number only: try_cast alone would take '1e1', 'nan' or 'inf'
        case
            when regexp_replace(answers.answer_text, '^[+-]?[0-9]+([.][0-9]+)?$', '') = ''
                and answers.answer_text <> ''
                then try_cast(answers.answer_text as double)
        end as answer_number
    from answers
    left join surveys
        on surveys.survey_id = answers.survey_id
    left join questions
        on questions.survey_id = answers.survey_id
        and questions.question_id = answers.question_id
    left join labels
        on labels.survey_id = answers.survey_id
        and labels.question_id = answers.question_id
        and labels.label = lower(answers.answer_text)
),

classified as (
    select
        mapped.*,
        case
            when not survey_mapped then 'unmapped_survey'
            when metric is null then 'unmapped_question'
            when metric = 'ignore' then 'ignored'
            when metric = 'verbatim' then 'verbatim'
            when label_score is not null then 'scored'
            when answer_number is null then 'rejected'
            when answer_number < scale_min or answer_number > scale_max then 'rejected'
            when answer_number <> floor(answer_number) then 'rejected'
            else 'scored'
        end as mapping_status
    from mapped
),

final as (
    select
        survey_id,
        response_id,
        question_id,
        answer,
        metric,
        mapping_status,
        case when mapping_status = 'scored' then coalesce(label_score, answer_number) end
            as score,
        case
            when mapping_status <> 'rejected' then null
            when answer_number is null then concat(
                metric_label, ' answer ''', coalesce(answer_text, ''), ''' is not a number',
                case when has_labels then ' or a label of the mapping' else '' end
            )
            when answer_number < scale_min or answer_number > scale_max then concat(
                metric_label, ' answer ', answer_text, ' is outside ',
                cast(scale_min as string), '-', cast(scale_max as string)
            )
            else concat(
                metric_label, ' answer ', answer_text, ' is not a whole number on the ',
                cast(scale_min as string), '-', cast(scale_max as string), ' scale'
            )
        end as rejection_reason,
        -- the email never leaves raw: its salted key does
        {{ email_key('respondent_email', 'salt.salt') }} as respondent_key,
        external_ref,
        recorded_at,
        finished,
        source_row,
        _source_file as source_file,
        _file_sha256 as file_sha256
    from classified
    cross join salt
)

select * from final
