"""The Great Expectations suite on the staging views: keys unique and present, values on their
scales, dates plausible, and references between sources as ratios with thresholds."""

from __future__ import annotations

from expectations.spec import (
    Expect,
    at_least,
    between,
    between_where,
    in_set,
    not_null,
    references,
    unique,
    unique_together,
    valid_date,
)

SUITE_NAME = "staging"

ACCOUNTS = "staging.stg_salesforce__accounts"
SF_CONTACTS = "staging.stg_salesforce__contacts"
# Tickets and survey respondents are matched to contacts by email; a lead only in HubSpot or a
# new address is expected now and then, hence a lower bar than for the CRM's own foreign keys.
IDENTITY_MATCH = 0.9

STAGING_SUITE: dict[str, list[Expect]] = {
    "stg_feedback__texts": [
        not_null("source"),
        in_set("source", ["review", "survey_verbatim", "ticket"]),
        not_null("record_key"),
        unique_together("source", "record_key"),
    ],
    "stg_hubspot__contacts": [
        not_null("hubspot_contact_id"),
        unique("hubspot_contact_id"),
        not_null("contact_key"),
        not_null("lifecycle_stage"),
        valid_date("created_at"),
    ],
    "stg_hubspot__deals": [
        not_null("deal_id"),
        unique("deal_id"),
        not_null("deal_stage"),
        at_least("amount_eur", 0),
        valid_date("created_at"),
        valid_date("closed_at"),
        references(
            "primary_hubspot_contact_id", "staging.stg_hubspot__contacts", "hubspot_contact_id"
        ),
    ],
    "stg_marketing__spend": [
        not_null("spend_month"),
        not_null("channel"),
        unique_together("spend_month", "channel"),
        valid_date("spend_month"),
        at_least("spend_eur", 0),
        at_least("impressions", 0),
        at_least("clicks", 0),
    ],
    "stg_reviews__reviews": [
        not_null("provider"),
        in_set("provider", ["trustpilot", "google_play", "app_store"]),
        not_null("review_id"),
        unique_together("provider", "review_id"),
        not_null("stars"),
        between("stars", 1, 5),
        not_null("created_at"),
        valid_date("created_at"),
    ],
    "stg_salesforce__accounts": [
        not_null("customer_key"),
        unique("customer_key"),
        not_null("segment"),
        valid_date("created_at"),
    ],
    "stg_salesforce__contacts": [
        not_null("contact_id"),
        unique("contact_id"),
        not_null("contact_key"),
        not_null("customer_key"),
        valid_date("created_at"),
        references("customer_key", ACCOUNTS),
    ],
    "stg_salesforce__orders": [
        not_null("order_id"),
        unique("order_id"),
        not_null("customer_key"),
        not_null("ordered_on"),
        valid_date("ordered_on"),
        not_null("order_status"),
        at_least("amount_eur", 0),
        references("customer_key", ACCOUNTS),
    ],
    "stg_surveys__answers": [
        not_null("survey_id"),
        not_null("response_id"),
        not_null("question_id"),
        unique_together("survey_id", "response_id", "question_id"),
        not_null("recorded_at"),
        valid_date("recorded_at"),
        in_set("metric", ["nps", "csat", "ces", "enps", "verbatim"]),
        between_where("score", 0, 10, "metric", "nps"),
        between_where("score", 0, 10, "metric", "enps"),
        between_where("score", 1, 5, "metric", "csat"),
        between_where("score", 1, 7, "metric", "ces"),
        references("response_id", "staging.stg_surveys__responses"),
    ],
    "stg_surveys__responses": [
        not_null("survey_id"),
        not_null("response_id"),
        unique_together("survey_id", "response_id"),
        in_set("survey_kind", ["customer", "employee"]),
        not_null("recorded_at"),
        valid_date("recorded_at"),
        at_least("answers", 1),
        references(
            "respondent_key",
            SF_CONTACTS,
            "contact_key",
            at_least=IDENTITY_MATCH,
            where="survey_kind = 'customer'",
        ),
    ],
    "stg_zendesk__tickets": [
        not_null("ticket_id"),
        unique("ticket_id"),
        not_null("contact_key"),
        not_null("created_at"),
        valid_date("created_at"),
        at_least("first_reply_minutes", 0),
        at_least("resolution_minutes", 0),
        references("contact_key", SF_CONTACTS, at_least=IDENTITY_MATCH),
    ],
}
