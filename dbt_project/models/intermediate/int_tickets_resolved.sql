-- Support tickets with the customer whose contact opened them (salted email key).

with

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
),

contacts as (
    select contact_key, customer_key from {{ ref('stg_salesforce__contacts') }}
),

final as (
    select
        tickets.*,
        contacts.customer_key,
        case when contacts.customer_key is not null then 'email' else 'unmatched' end
            as match_method
    from tickets
    left join contacts on contacts.contact_key = tickets.contact_key
)

select * from final
