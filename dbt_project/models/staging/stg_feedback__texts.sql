-- One row per text to score: the latest version of every review (title and text), survey
-- verbatim and ticket subject, read from their staging views so "latest" is defined once.
-- The raw/text_signals asset scores these (sentiment, themes) into raw.text_signals, which
-- int_experience_events reads back as a source.

with

reviews as (
    select
        'review' as source,
        provider || '|' || review_id as record_key,
        concat_ws('. ', title, text) as text,
        language
    from {{ ref('stg_reviews__reviews') }}
),

verbatims as (
    select
        'survey_verbatim' as source,
        survey_id || '|' || response_id || '|' || question_id as record_key,
        verbatim as text,
        cast(null as string) as language
    from {{ ref('stg_surveys__answers') }}
    where metric = 'verbatim'
),

ticket_subjects as (
    select
        'ticket' as source,
        cast(ticket_id as string) as record_key,
        subject as text,
        cast(null as string) as language
    from {{ ref('stg_zendesk__tickets') }}
),

final as (
    select * from reviews
    union all
    select * from verbatims
    union all
    select * from ticket_subjects
)

select * from final
