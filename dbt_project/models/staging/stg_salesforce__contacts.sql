with

source as (
    select * from {{ source('raw', 'salesforce_contacts') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by id order by last_modified_date desc, _loaded_at desc
    ) = 1
),

final as (
    select
        latest.id as contact_id,
        {{ email_key('latest.email', 'salt.salt') }} as contact_key,
        {{ pseudonymise('latest.account_id', 'salt.salt') }} as customer_key,
        latest.lead_source,
        latest.mailing_country,
        latest.created_date as created_at,
        latest.last_modified_date as last_modified_at
    from latest
    cross join salt
)

select * from final
