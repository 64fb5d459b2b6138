-- Reviews with the customer who wrote them, through the order number the review invitation
-- carried (reference_id). App-store reviews carry none and stay unmatched.

with

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

orders as (
    select order_number, customer_key from {{ ref('stg_salesforce__orders') }}
),

final as (
    select
        reviews.*,
        orders.customer_key,
        case when orders.customer_key is not null then 'reference_order' else 'unmatched' end
            as match_method
    from reviews
    left join orders on orders.order_number = reviews.reference_id
)

select * from final
