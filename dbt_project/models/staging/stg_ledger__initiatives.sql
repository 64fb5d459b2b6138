-- The investment ledger as the business last exported it: the rows of the newest loaded
-- initiatives file (a ledger export is the whole ledger, so an initiative left out of the newest
-- file is no longer in it). Empty when no ledger has landed.

with

source as (
    select * from {{ source('raw', 'ledger_initiatives') }}
),

newest_file as (
    select _file_sha256
    from source
    group by _file_sha256
    order by max(_loaded_at) desc, _file_sha256 desc
    limit 1
),

final as (
    select
        source.initiative_id,
        source.initiative_name,
        source.scope_type,
        source.scope_id,
        source.investment_kind,
        source.investment_category,
        cast(source.cost_per_month_eur as double) as cost_per_month_eur,
        cast(source.start_month as date) as start_month,
        source._source_file as ledger_file,
        source._source_line as ledger_line
    from source
    inner join newest_file on newest_file._file_sha256 = source._file_sha256
)

select * from final
