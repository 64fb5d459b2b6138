with

source as (
    select * from {{ source('raw', 'marketing_spend') }}
),

-- A later sheet for the same month and channel replaces the earlier figure.
latest as (
    select *
    from source
    qualify row_number() over (partition by month, channel order by _loaded_at desc) = 1
),

final as (
    select
        {{ month_start('month') }} as spend_month,
        channel,
        cast(spend_eur as decimal(18, 2)) as spend_eur,
        impressions,
        clicks
    from latest
)

select * from final
