-- One row per review date and provider: reviews, stars and replies (latest version of each
-- review). Incremental by date like int_orders_daily.

{{ config(**daily_fact_config('created_date')) }}

with

reviews as (
    select *, cast(created_at as date) as created_on
    from {{ ref('stg_reviews__reviews') }}
    {% if is_incremental() %}
        where {{ incremental_window('cast(created_at as date)', 'created_date') }}
    {% endif %}
),

final as (
    select
        provider,
        cast(count(*) as bigint) as reviews,
        cast(sum(stars) as bigint) as stars_total,
        cast(sum(case when has_company_reply then 1 else 0 end) as bigint) as replied_reviews,
        -- The partition column goes last: Spark's insert overwrite expects it there.
        created_on as created_date
    from reviews
    group by created_on, provider
)

select * from final
