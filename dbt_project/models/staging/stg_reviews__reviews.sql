-- One row per review, latest version, from every provider. The reviewer's id becomes a salted
-- key; the display name never reached raw.

with

api as (
    select
        provider, business_unit_id, review_id, stars, title, text, language, created_at,
        updated_at, experienced_at, consumer_id, is_verified, company_reply_text,
        company_reply_at, reference_id, tags, fetched_at as loaded_at
    from {{ source('raw', 'trustpilot_reviews') }}
),

google_play as (
    select
        provider, business_unit_id, review_id, stars, title, text, language, created_at,
        updated_at, experienced_at, consumer_id, is_verified, company_reply_text,
        company_reply_at, reference_id, tags, _loaded_at as loaded_at
    from {{ source('raw', 'google_play_reviews') }}
),

app_store as (
    select
        provider, business_unit_id, review_id, stars, title, text, language, created_at,
        updated_at, experienced_at, consumer_id, is_verified, company_reply_text,
        company_reply_at, reference_id, tags, _loaded_at as loaded_at
    from {{ source('raw', 'app_store_reviews') }}
),

unioned as (
    select * from api
    union all
    select * from google_play
    union all
    select * from app_store
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

-- An edited review (same id, newer updated_at) replaces the earlier version.
latest as (
    select *
    from unioned
    qualify row_number() over (
        partition by provider, review_id
        order by coalesce(updated_at, created_at) desc, loaded_at desc
    ) = 1
),

final as (
    select
        latest.provider,
        latest.business_unit_id,
        latest.review_id,
        latest.stars,
        latest.title,
        latest.text,
        latest.language,
        latest.created_at,
        {{ month_start('latest.created_at') }} as created_month,
        coalesce(latest.updated_at, latest.created_at) as last_changed_at,
        latest.experienced_at,
        case when latest.consumer_id is not null
            then {{ pseudonymise('latest.consumer_id', 'salt.salt') }} end as reviewer_key,
        latest.is_verified,
        latest.company_reply_text,
        latest.company_reply_at,
        latest.company_reply_text is not null as has_company_reply,
        latest.reference_id,
        latest.tags
    from latest
    cross join salt
)

select * from final
