-- How many records of each source were resolved to a customer, and how.

with

matches as (
    select 'survey_responses' as source, match_method
    from {{ ref('int_survey_responses_resolved') }}
    union all
    select 'reviews_' || provider, match_method from {{ ref('int_reviews_resolved') }}
    union all
    select 'tickets', match_method from {{ ref('int_tickets_resolved') }}
),

final as (
    select
        source,
        cast(count(*) as bigint) as records,
        cast(sum(case when match_method <> 'unmatched' then 1 else 0 end) as bigint) as matched,
        cast(sum(case when match_method <> 'unmatched' then 1 else 0 end) as double)
            / count(*) as match_rate
    from matches
    group by source
)

select * from final
