-- The investment ledger as the business last exported it: the rows of the newest loaded
-- initiatives file (a ledger export is the whole ledger, so an initiative left out of the newest
-- file is no longer in it). Empty when no ledger has landed.

with

newest as (
    {{ newest_export(source('raw', 'ledger_initiatives')) }}
),

final as (
    select
        newest.initiative_id,
        newest.initiative_name,
        newest.scope_type,
        newest.scope_id,
        newest.investment_kind,
        newest.investment_category,
        cast(newest.cost_per_month_eur as double) as cost_per_month_eur,
        cast(newest.start_month as date) as start_month,
        newest._source_file as ledger_file,
        newest._source_line as ledger_line
    from newest
)

select * from final
