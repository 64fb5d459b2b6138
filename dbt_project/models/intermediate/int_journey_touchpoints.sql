-- The touchpoints in journey order: by their stage's place in the journey (a touchpoint whose
-- stage is unknown comes last), then by id. The report lays its journey charts out in this order.

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

final as (
    select
        touchpoints.touchpoint_id,
        touchpoints.stage_id,
        stages.stage_order,
        row_number() over (
            order by
                case when stages.stage_order is null then 1 else 0 end,
                stages.stage_order,
                touchpoints.touchpoint_id
        ) as journey_position
    from touchpoints
    left join stages on stages.stage_id = touchpoints.stage_id
)

select * from final
