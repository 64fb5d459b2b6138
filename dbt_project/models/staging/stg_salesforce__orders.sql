with

source as (
    select * from {{ source('raw', 'salesforce_orders') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

-- Overlapping exports repeat orders; keep the latest version of each.
latest as (
    select *
    from source
    qualify row_number() over (
        partition by id order by last_modified_date desc, _loaded_at desc
    ) = 1
),

final as (
    select
        latest.id as order_id,
        latest.order_number,
        {{ pseudonymise('latest.account_id', 'salt.salt') }} as customer_key,
        latest.effective_date as ordered_on,
        {{ month_start('latest.effective_date') }} as order_month,
        lower(latest.status) as order_status,
        lower(latest.status) = 'cancelled' as is_cancelled,
        upper(latest.currency_iso_code) as currency_code,
        cast(latest.total_amount as decimal(18, 2)) as amount_eur,
        -- null when the export has no Margin__c (raw.load_log.missing_columns says so): an
        -- unknown margin is not a zero margin
        cast(latest.margin_c as decimal(18, 2)) as margin_eur,
        coalesce(lower(latest.product_category_c), 'unknown') as product_category,
        -- The sales channel of the order (Channel__c: web, app, store, phone, marketplace).
        coalesce(nullif(lower(trim(latest.channel_c)), ''), 'unknown') as channel,
        latest.promised_delivery_date_c as promised_delivery_on,
        latest.delivered_date_c as delivered_on,
        coalesce(latest.returned_c, false) as is_returned,
        latest.delivered_date_c > latest.promised_delivery_date_c as is_delivered_late,
        {{ dbt.datediff('latest.promised_delivery_date_c', 'latest.delivered_date_c', 'day') }}
            as delivery_delay_days,
        latest.last_modified_date as last_modified_at
    from latest
    cross join salt
)

select * from final
