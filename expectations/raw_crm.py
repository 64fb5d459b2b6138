"""The Great Expectations suite on the raw CRM tables: required columns present, ids unique
within each export, amounts not negative, dates plausible."""

from __future__ import annotations

from expectations.spec import Expect, at_least, not_null, unique_within_file, valid_date

SUITE_NAME = "raw_crm"

RAW_CRM_SUITE: dict[str, list[Expect]] = {
    "salesforce_accounts": [
        not_null("id"),
        unique_within_file("id"),
        not_null("name"),
        not_null("created_date"),
        valid_date("created_date"),
    ],
    "salesforce_contacts": [
        not_null("id"),
        unique_within_file("id"),
        not_null("account_id"),
        not_null("email"),
        valid_date("created_date"),
    ],
    "salesforce_orders": [
        not_null("id"),
        unique_within_file("id"),
        not_null("account_id"),
        not_null("effective_date"),
        valid_date("effective_date"),
        not_null("total_amount"),
        at_least("total_amount", 0),
        not_null("status"),
    ],
    "hubspot_contacts": [
        not_null("record_id"),
        unique_within_file("record_id"),
        not_null("email"),
        valid_date("create_date"),
    ],
    "hubspot_deals": [
        not_null("record_id"),
        unique_within_file("record_id"),
        not_null("deal_stage"),
        at_least("amount", 0),
        valid_date("create_date"),
    ],
    "zendesk_tickets": [
        not_null("id"),
        unique_within_file("id"),
        not_null("requester_email"),
        not_null("created_at"),
        valid_date("created_at"),
        at_least("first_reply_time_in_minutes", 0),
        at_least("full_resolution_time_in_minutes", 0),
    ],
    "marketing_spend": [
        not_null("month"),
        valid_date("month"),
        not_null("channel"),
        not_null("spend_eur"),
        at_least("spend_eur", 0),
        at_least("impressions", 0),
        at_least("clicks", 0),
    ],
}
