-- Customer survey responses with the customer they came from: by the respondent's salted email
-- (any contact of the account), else the external reference as an account id or order number.

with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
    where survey_kind = 'customer'
),

contacts as (
    select contact_key, customer_key from {{ ref('stg_salesforce__contacts') }}
),

orders as (
    select order_number, customer_key from {{ ref('stg_salesforce__orders') }}
),

accounts as (
    select customer_key from {{ ref('stg_salesforce__accounts') }}
),

salt as (
    select salt from {{ source('raw', 'pseudonym_salt') }}
),

by_reference as (
    select
        responses.survey_id,
        responses.response_id,
        accounts.customer_key as account_match,
        orders.customer_key as order_match
    from responses
    cross join salt
    left join accounts
        on accounts.customer_key = {{ pseudonymise('responses.external_ref', 'salt.salt') }}
    left join orders on orders.order_number = responses.external_ref
),

final as (
    select
        responses.*,
        coalesce(contacts.customer_key, by_reference.account_match, by_reference.order_match)
            as customer_key,
        case
            when contacts.customer_key is not null then 'email'
            when by_reference.account_match is not null then 'external_ref_account'
            when by_reference.order_match is not null then 'external_ref_order'
            else 'unmatched'
        end as match_method
    from responses
    left join contacts on contacts.contact_key = responses.respondent_key
    left join by_reference
        on by_reference.survey_id = responses.survey_id
        and by_reference.response_id = responses.response_id
)

select * from final
