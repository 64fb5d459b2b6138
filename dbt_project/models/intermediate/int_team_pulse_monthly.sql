-- Employee pulse answers compacted to one row per team x month x employee: how many eNPS
-- answers and the sum of their 0-100 EX scores (promoter 100, passive 50, detractor 0, so a
-- mean is (eNPS + 100) / 2, the EX index). ROX reads this for the EX effect of soft
-- initiatives and the EX -> CX link, resampling employees; an answer without a respondent
-- counts as its own employee (its response).

with

answers as (
    select
        team,
        recorded_month as month_start,
        coalesce(respondent_key, response_id) as employee_key,
        case when score >= 9 then 100.0 when score <= 6 then 0.0 else 50.0 end as ex_score_0_100
    from {{ ref('stg_surveys__answers') }}
    where metric = 'enps' and score is not null and team is not null
),

final as (
    select
        team,
        month_start,
        employee_key,
        cast(count(*) as integer) as answers,
        sum(ex_score_0_100) as ex_score_sum_0_100
    from answers
    group by team, month_start, employee_key
)

select * from final
