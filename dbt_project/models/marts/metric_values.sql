-- Every catalogue metric by day and month for each scope the catalogue allows: one rule for
-- all of them over fct_metric_observations. ratio = sum(numerator) / sum(denominator) (null
-- when the denominator is 0), n = the denominator; sum = sum(numerator), n = the rows summed.
-- The catalogue (config/metrics.yml) arrives validated as source config.metric_catalogue: one
-- row per metric, grain and scope type it allows. Small samples: a ratio whose n is below its
-- floor (min_n_for_metric: answers for the survey metrics, observations for the others) is
-- null with is_suppressed true and n kept; a sum is a total, never suppressed.

{# Scope type -> the observations' column holding the scope id (company: everything). The
    scope types are those analytics/metric_catalogue.py validates (SCOPE_COLUMNS). #}
{% set scope_columns = {
    'company': none,
    'value_stream': 'value_stream_id',
    'job': 'job_id',
    'segment': 'segment',
    'touchpoint': 'touchpoint_id',
    'team': 'team',
    'territory': 'territory',
    'business_unit': 'business_unit',
    'channel': 'channel',
} %}
{% set periods = {
    'day': 'observations.observed_on',
    'month': month_start('observations.observed_on'),
} %}

with

observations as (
    select * from {{ ref('fct_metric_observations') }}
),

catalogue as (
    select metric, aggregation, period_grain, scope_type
    from {{ source('config', 'metric_catalogue') }}
),

aggregations as (
    select distinct metric, aggregation from catalogue
),

totals as (
    {%- for grain, period in periods.items() %}
    {%- for scope_type, column in scope_columns.items() %}
    select
        observations.metric,
        '{{ grain }}' as period_grain,
        {{ period }} as period_start,
        '{{ scope_type }}' as scope_type,
        {{ "'all'" if column is none else 'cast(observations.' ~ column ~ ' as string)' }}
            as scope_id,
        sum(observations.numerator) as numerator,
        sum(observations.denominator) as denominator,
        count(*) as observations
    from observations
    inner join catalogue
        on catalogue.metric = observations.metric
        and catalogue.period_grain = '{{ grain }}'
        and catalogue.scope_type = '{{ scope_type }}'
    {%- if column is not none %}
    where observations.{{ column }} is not null
    {%- endif %}
    group by 1, 2, 3, 4, 5
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

valued as (
    select
        totals.metric,
        totals.period_grain,
        totals.period_start,
        totals.scope_type,
        totals.scope_id,
        aggregations.aggregation,
        case
            when aggregations.aggregation = 'sum' then totals.numerator
            when totals.denominator <> 0 then totals.numerator / totals.denominator
        end as value,
        cast(round(
            case
                when aggregations.aggregation = 'sum' then cast(totals.observations as double)
                else totals.denominator
            end
        ) as bigint) as n
    from totals
    inner join aggregations on aggregations.metric = totals.metric
),

judged as (
    select
        *,
        aggregation = 'ratio' and n < {{ min_n_for_metric('metric') }} as is_suppressed
    from valued
),

final as (
    select
        metric,
        period_grain,
        period_start,
        scope_type,
        scope_id,
        case when not is_suppressed then value end as value,
        n,
        is_suppressed
    from judged
)

select * from final
