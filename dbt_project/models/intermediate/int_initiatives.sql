-- The investment ledger the ROX marts read: the business's newest export when one has landed
-- (ledger/initiatives*.csv), else the seed `initiatives` (the demo company's default ledger).
-- Never a mix: a landed ledger is the whole ledger.

with

landed as (
    select * from {{ ref('stg_ledger__initiatives') }}
),

seeded as (
    select * from {{ ref('initiatives') }}
),

landed_rows as (
    select count(*) as n from landed
),

final as (
    select
        initiative_id,
        initiative_name,
        scope_type,
        scope_id,
        investment_kind,
        investment_category,
        cost_per_month_eur,
        start_month,
        'export' as ledger_source,
        ledger_file,
        ledger_line
    from landed

    union all

    select
        seeded.initiative_id,
        seeded.initiative_name,
        seeded.scope_type,
        seeded.scope_id,
        seeded.investment_kind,
        seeded.investment_category,
        cast(seeded.cost_per_month_eur as double) as cost_per_month_eur,
        cast(seeded.start_month as date) as start_month,
        'seed' as ledger_source,
        cast(null as string) as ledger_file,
        cast(null as bigint) as ledger_line
    from seeded
    cross join landed_rows
    where landed_rows.n = 0
)

select * from final
