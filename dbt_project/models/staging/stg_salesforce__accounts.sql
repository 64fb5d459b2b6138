with

source as (
    select * from {{ source('raw', 'salesforce_accounts') }}
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
        {{ pseudonymise('latest.id', 'salt.salt') }} as customer_key,
        coalesce(lower(trim(latest.segment_c)), 'unknown') as segment,
        coalesce(lower(trim(latest.primary_job_c)), 'unknown') as primary_job,
        latest.type as account_type,
        latest.industry,
        latest.billing_country,
        -- The dimensions a CX lead cuts by: territory (billing country, in its sales region)
        -- and business unit (the Brand__c custom field).
        coalesce(nullif(trim(latest.billing_country), ''), 'unknown') as territory,
        coalesce(nullif(trim(latest.region_c), ''), 'unknown') as region,
        coalesce(nullif(trim(latest.brand_c), ''), 'unknown') as business_unit,
        latest.created_date as created_at,
        latest.last_modified_date as last_modified_at,
        latest._loaded_at as loaded_at
    from latest
    cross join salt
)

select * from final
