-- The candidate actions as the business last exported them: the rows of the newest loaded
-- actions file. Empty when none has landed.

with

newest as (
    {{ newest_export(source('raw', 'ledger_actions')) }}
),

final as (
    select
        newest.action_id,
        newest.action,
        newest.touchpoint_id,
        newest.area,
        cast(newest.estimated_cost_eur as double) as estimated_cost_eur,
        cast(newest.duration_months as int) as duration_months,
        cast(newest.complexity_1_5 as int) as complexity_1_5,
        newest._source_file as ledger_file,
        newest._source_line as ledger_line
    from newest
)

select * from final
