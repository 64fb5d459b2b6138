-- The candidate actions the opportunity map and roadmap rank: the business's newest export when
-- one has landed (ledger/actions*.csv), else the seed `actions`. Never a mix.

with

landed as (
    select * from {{ ref('stg_ledger__actions') }}
),

seeded as (
    select * from {{ ref('actions') }}
),

landed_rows as (
    select count(*) as n from landed
),

final as (
    select
        action_id,
        action,
        touchpoint_id,
        area,
        estimated_cost_eur,
        duration_months,
        complexity_1_5,
        'export' as ledger_source,
        ledger_file,
        ledger_line
    from landed

    union all

    select
        seeded.action_id,
        seeded.action,
        seeded.touchpoint_id,
        seeded.area,
        cast(seeded.estimated_cost_eur as double) as estimated_cost_eur,
        cast(seeded.duration_months as int) as duration_months,
        cast(seeded.complexity_1_5 as int) as complexity_1_5,
        'seed' as ledger_source,
        cast(null as string) as ledger_file,
        cast(null as bigint) as ledger_line
    from seeded
    cross join landed_rows
    where landed_rows.n = 0
)

select * from final
