-- Review volume and rating per month and provider (and all providers together).
-- Averages are taken of doubles: Spark rounds the average of a decimal literal (1.0) to 5 places.

with

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

scoped as (
    select created_month, provider, stars, has_company_reply from reviews
    union all
    select created_month, 'all', stars, has_company_reply from reviews
),

final as (
    select
        created_month as month_start,
        provider,
        cast(count(*) as bigint) as reviews,
        avg(cast(stars as double)) as mean_stars,
        avg(cast(case when stars >= 4 then 1 else 0 end as double)) as share_positive,
        avg(cast(case when stars <= 2 then 1 else 0 end as double)) as share_negative,
        avg(cast(case when has_company_reply then 1 else 0 end as double)) as share_replied
    from scoped
    group by created_month, provider
)

select * from final
