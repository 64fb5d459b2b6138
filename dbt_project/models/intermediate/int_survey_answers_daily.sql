-- One row per answer date, survey and scored metric: answers and the counts every survey
-- metric is computed from (promoters, detractors, top-two-box, sum of scores).
-- Incremental by date like int_orders_daily.

{{ config(**daily_fact_config('recorded_date')) }}

with

answers as (
    select *, cast(recorded_at as date) as recorded_on
    from {{ ref('stg_surveys__answers') }}
    where score is not null
    {% if is_incremental() %}
        and {{ incremental_window('cast(recorded_at as date)', 'recorded_date') }}
    {% endif %}
),

final as (
    select
        survey_id,
        metric,
        cast(count(*) as bigint) as answers,
        cast(sum(case when score >= 9 then 1 else 0 end) as bigint) as promoters,
        cast(sum(case when score <= 6 then 1 else 0 end) as bigint) as detractors,
        cast(sum(case when score >= 4 then 1 else 0 end) as bigint) as top_two_box,
        cast(sum(score) as double) as score_total,
        -- The partition column goes last: Spark's insert overwrite expects it there.
        recorded_on as recorded_date
    from answers
    group by recorded_on, survey_id, metric
)

select * from final
