with

source as (
    select * from {{ source('raw', 'hubspot_deals') }}
),

latest as (
    select *
    from source
    qualify row_number() over (partition by record_id order by _loaded_at desc) = 1
),

final as (
    select
        record_id as deal_id,
        lower(deal_stage) as deal_stage,
        lower(deal_stage) = 'closedwon' as is_won,
        lower(deal_stage) in ('closedwon', 'closedlost') as is_closed,
        pipeline,
        cast(amount as decimal(18, 2)) as amount_eur,
        create_date as created_at,
        close_date as closed_at,
        -- HubSpot lists associated contacts separated by ';': the first is the primary one.
        {{ dbt.safe_cast("split_part(associated_contact_ids, ';', 1)", api.Column.translate_type('bigint')) }}
            as primary_hubspot_contact_id
    from latest
)

select * from final
