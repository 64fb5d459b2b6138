-- The scopes that exist, one row per scope type and id: value streams, jobs and touchpoints
-- from configuration, the segments, territories, business units and channels customers have,
-- and the teams that own a touchpoint or
-- answered the employee pulse. The OKR and ROX marts validate their configuration against it
-- and ROX scores every scope in it.

with

value_streams as (
    select 'value_stream' as scope_type, value_stream_id as scope_id
    from {{ ref('value_streams') }}
),

jobs as (
    select 'job' as scope_type, job_id as scope_id from {{ ref('jobs') }}
),

touchpoints as (
    select 'touchpoint' as scope_type, touchpoint_id as scope_id from {{ ref('touchpoints') }}
),

segments as (
    select distinct 'segment' as scope_type, segment as scope_id
    from {{ ref('int_customers') }}
    where segment is not null
),

-- The territories, business units and primary sales channels customers have.
customer_dimensions as (
    select distinct 'territory' as scope_type, territory as scope_id
    from {{ ref('int_customers') }}
    union
    select distinct 'business_unit' as scope_type, business_unit as scope_id
    from {{ ref('int_customers') }}
    union
    select distinct 'channel' as scope_type, primary_channel as scope_id
    from {{ ref('int_customers') }}
),

-- As fct_metric_observations observes eNPS: pulse answers with a score and a date.
teams as (
    select 'team' as scope_type, owning_team as scope_id from {{ ref('touchpoints') }}
    union
    select 'team' as scope_type, team as scope_id
    from {{ ref('stg_surveys__answers') }}
    where metric = 'enps' and score is not null and recorded_at is not null and team is not null
),

final as (
    select * from value_streams
    union
    select * from jobs
    union
    select * from touchpoints
    union
    select * from segments
    union
    select * from teams
    union
    select * from customer_dimensions
)

select * from final
where scope_id is not null
