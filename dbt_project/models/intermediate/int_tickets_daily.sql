-- One row per ticket creation date and category: volumes and reply / resolution times.
-- Incremental by date like int_orders_daily (a Dagster daily partition passes its window as
-- min_date / max_date, see macros/date_window.sql).

{{ config(**daily_fact_config('created_date')) }}

with

tickets as (
    select *, cast(created_at as date) as created_on
    from {{ ref('stg_zendesk__tickets') }}
    {% if is_incremental() %}
        where {{ incremental_window('cast(created_at as date)', 'created_date') }}
    {% endif %}
),

final as (
    select
        category,
        cast(count(*) as bigint) as tickets,
        cast(sum(case when is_solved then 1 else 0 end) as bigint) as solved_tickets,
        cast(count(first_reply_minutes) as bigint) as replied_tickets,
        cast(sum(first_reply_minutes) as bigint) as first_reply_minutes_total,
        cast(sum(resolution_minutes) as bigint) as resolution_minutes_total,
        -- The partition column goes last: Spark's insert overwrite expects it there.
        created_on as created_date
    from tickets
    group by created_on, category
)

select * from final
