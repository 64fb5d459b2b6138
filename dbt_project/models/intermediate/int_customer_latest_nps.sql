-- Each customer's latest relationship NPS answer, through their contacts' salted email keys.

with

answers as (
    select * from {{ ref('stg_surveys__answers') }}
    where metric = 'nps' and respondent_key is not null
),

contacts as (
    select contact_key, customer_key from {{ ref('stg_salesforce__contacts') }}
),

linked as (
    select
        contacts.customer_key,
        answers.score as nps_score,
        answers.recorded_at
    from answers
    inner join contacts on contacts.contact_key = answers.respondent_key
),

final as (
    select
        customer_key,
        nps_score,
        recorded_at as nps_recorded_at,
        case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            else 'detractor'
        end as nps_group
    from linked
    qualify row_number() over (partition by customer_key order by recorded_at desc) = 1
)

select * from final
