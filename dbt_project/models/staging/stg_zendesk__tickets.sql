with

source as (
    select * from {{ source('raw', 'zendesk_tickets') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by id order by updated_at desc nulls last, _loaded_at desc
    ) = 1
),

final as (
    select
        latest.id as ticket_id,
        {{ email_key('latest.requester_email', 'salt.salt') }} as contact_key,
        lower(latest.status) as ticket_status,
        lower(latest.status) in ('solved', 'closed') as is_solved,
        lower(latest.priority) as priority,
        lower(latest.via) as channel,
        lower(latest.ticket_type) as ticket_type,
        coalesce(lower(latest.category_list), 'uncategorised') as category,
        latest.subject,
        latest.created_at,
        {{ month_start('latest.created_at') }} as created_month,
        {{ dbt.dateadd('minute', 'latest.first_reply_time_in_minutes', 'latest.created_at') }}
            as first_reply_at,
        latest.solved_at,
        latest.first_reply_time_in_minutes as first_reply_minutes,
        latest.full_resolution_time_in_minutes as resolution_minutes
    from latest
    cross join salt
)

select * from final
