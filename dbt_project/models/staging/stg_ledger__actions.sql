-- The candidate actions as the business last exported them: the rows of the newest loaded
-- actions file. Empty when none has landed.

with

source as (
    select * from {{ source('raw', 'ledger_actions') }}
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
        source.action_id,
        source.action,
        source.touchpoint_id,
        source.area,
        cast(source.estimated_cost_eur as double) as estimated_cost_eur,
        cast(source.duration_months as int) as duration_months,
        cast(source.complexity_1_5 as int) as complexity_1_5,
        source._source_file as ledger_file,
        source._source_line as ledger_line
    from source
    inner join newest_file on newest_file._file_sha256 = source._file_sha256
)

select * from final
