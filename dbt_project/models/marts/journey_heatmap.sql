-- The touchpoint heatmap: per month, job, stage, touchpoint and scope (the company, each segment,
-- territory, business unit and sales channel),
-- volume, mean score, CSAT / CES where they apply, sentiment, shares of negative and
-- positive signals, a love / neutral / pain label and whether it is a moment that matters.
-- Small samples: a cell with fewer than `min_signals_heatmap_cell` signals publishes its
-- volumes only (is_suppressed); CSAT and CES each need `min_answers_survey_metric` answers.
-- No NPS column: NPS is the relationship survey's, about no touchpoint (survey_metrics_monthly).

with

events as (
    select * from {{ ref('int_experience_events') }}
    where touchpoint_id is not null
),

-- Each signal once per scope it belongs to: the company, its customer's segment, territory,
-- business unit and primary sales channel. `segment` stays for the readers of the segment cut:
-- the segment, 'all' for the company, null for the other scope types.
by_scope as (
    select *, 'company' as scope_type, 'all' as scope_id from events
    union all
    select *, 'segment', segment from events
    union all
    select *, 'territory', territory from events
    union all
    select *, 'business_unit', business_unit from events
    union all
    select *, 'channel', channel from events
),

classified as (
    select
        *,
        case
            when score_0_100 is not null then score_0_100 < 40
            when source = 'ticket' or signal = 'return' then true
            else sentiment <= -0.05
        end as is_negative,
        case
            when score_0_100 is not null then score_0_100 >= 70
            else sentiment >= 0.05
        end as is_positive
    from by_scope
),

cells as (
    select
        occurred_month as month_start,
        job,
        stage_id,
        touchpoint_id,
        scope_type,
        scope_id,
        case
            when scope_type = 'company' then 'all'
            when scope_type = 'segment' then scope_id
        end as segment,
        cast(count(*) as bigint) as volume,
        cast(count(score_0_100) as bigint) as scored_volume,
        avg(score_0_100) as mean_score_0_100,
        cast(sum(case when signal = 'csat' then 1 else 0 end) as bigint) as csat_responses,
        cast(sum(case when signal = 'ces' then 1 else 0 end) as bigint) as ces_responses,
        100.0 * cast(sum(case when signal = 'csat' and raw_score >= 4 then 1 else 0 end) as double)
            / nullif(sum(case when signal = 'csat' then 1 else 0 end), 0) as csat,
        avg(case when signal = 'ces' then raw_score end) as ces,
        avg(sentiment) as mean_sentiment,
        avg(cast(case when is_negative then 1 else 0 end as double)) as share_negative,
        avg(cast(case when is_positive then 1 else 0 end as double)) as share_positive
    from classified
    group by occurred_month, job, stage_id, touchpoint_id, scope_type, scope_id
),

theme_counts as (
    select
        occurred_month, job, touchpoint_id, scope_type, scope_id, primary_theme,
        count(*) as mentions
    from by_scope
    where primary_theme is not null
    group by occurred_month, job, touchpoint_id, scope_type, scope_id, primary_theme
),

top_themes as (
    select occurred_month, job, touchpoint_id, scope_type, scope_id, primary_theme as top_theme
    from theme_counts
    qualify row_number() over (
        partition by occurred_month, job, touchpoint_id, scope_type, scope_id
        order by mentions desc, primary_theme
    ) = 1
),

-- The moments that matter come from the driver analysis (the Python mart
-- marts.moments_that_matter): a job's own where it had enough answers, else the company's.
moments as (
    select scope_type, scope_id, touchpoint_id, importance_pct, is_moment_that_matters
    from {{ source('marts', 'moments_that_matter') }}
),

job_moments as (
    select scope_id as job, touchpoint_id, importance_pct, is_moment_that_matters
    from moments
    where scope_type = 'job'
),

company_moments as (
    select touchpoint_id, importance_pct, is_moment_that_matters
    from moments
    where scope_type = 'company'
),

{% set cell_floor = var('min_signals_heatmap_cell') %}
{% set answer_floor = var('min_answers_survey_metric') %}
published as (
    select
        month_start,
        job,
        stage_id,
        touchpoint_id,
        scope_type,
        scope_id,
        segment,
        volume,
        scored_volume,
        {{ unless_suppressed('mean_score_0_100', 'volume', cell_floor) }} as mean_score_0_100,
        csat_responses,
        {{ unless_suppressed('csat', 'csat_responses', answer_floor) }} as csat,
        ces_responses,
        {{ unless_suppressed('ces', 'ces_responses', answer_floor) }} as ces,
        {{ unless_suppressed('mean_sentiment', 'volume', cell_floor) }} as mean_sentiment,
        {{ unless_suppressed('share_negative', 'volume', cell_floor) }} as share_negative,
        {{ unless_suppressed('share_positive', 'volume', cell_floor) }} as share_positive,
        volume < {{ cell_floor }} as is_suppressed
    from cells
),

final as (
    select
        cells.*,
        -- No label without a published mean score: a cell is not 'neutral' for want of data.
        case
            when cells.mean_score_0_100 < {{ var('heat_pain_below') }} then 'pain'
            when cells.mean_score_0_100 >= {{ var('heat_love_from') }} then 'love'
            when cells.mean_score_0_100 is not null then 'neutral'
        end as heat_label,
        coalesce(
            job_moments.is_moment_that_matters, company_moments.is_moment_that_matters, false
        ) as is_moment_that_matters,
        coalesce(job_moments.importance_pct, company_moments.importance_pct)
            as moment_importance_pct,
        top_themes.top_theme
    from published as cells
    left join job_moments
        on job_moments.job = cells.job
        and job_moments.touchpoint_id = cells.touchpoint_id
    left join company_moments on company_moments.touchpoint_id = cells.touchpoint_id
    left join top_themes
        on top_themes.occurred_month = cells.month_start
        and top_themes.job = cells.job
        and top_themes.touchpoint_id = cells.touchpoint_id
        and top_themes.scope_type = cells.scope_type
        and top_themes.scope_id = cells.scope_id
)

select * from final
