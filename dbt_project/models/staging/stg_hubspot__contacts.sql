with

source as (
    select * from {{ source('raw', 'hubspot_contacts') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by record_id order by last_modified_date desc nulls last, _loaded_at desc
    ) = 1
),

final as (
    select
        latest.record_id as hubspot_contact_id,
        {{ email_key('latest.email', 'salt.salt') }} as contact_key,
        lower(latest.lifecycle_stage) as lifecycle_stage,
        coalesce(latest.original_source, 'Unknown') as acquisition_channel,
        latest.create_date as created_at,
        latest.last_modified_date as last_modified_at
    from latest
    cross join salt
)

select * from final
