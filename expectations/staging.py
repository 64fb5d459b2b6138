"""The Great Expectations part of the staging gates: what is not one view's own contract.

Each staging view's grain and contract (keys unique and not null, ranges, accepted values,
plausible dates, references that must always hold) are dbt data tests in its YAML, run by the
staging layer's `dbt build` (README, "Quality gates": each check lives in one place). What stays
here are the shares with a tolerance: records matched to a person by email, where a lead only
in HubSpot or a new address is expected now and then. Every staging view has a gate
(`orchestration/quality/checks.py`); a view not named here gets the table-level gates only.
"""

from __future__ import annotations

from expectations.spec import Expect, references

SUITE_NAME = "staging"

SF_CONTACTS = "staging.stg_salesforce__contacts"
# Tickets and survey respondents are matched to contacts by email.
IDENTITY_MATCH = 0.9

STAGING_SUITE: dict[str, list[Expect]] = {
    "stg_surveys__answers": [
        references("response_id", "staging.stg_surveys__responses"),
    ],
    "stg_surveys__responses": [
        references(
            "respondent_key",
            SF_CONTACTS,
            "contact_key",
            at_least=IDENTITY_MATCH,
            where="survey_kind = 'customer'",
        ),
    ],
    "stg_zendesk__tickets": [
        references("contact_key", SF_CONTACTS, at_least=IDENTITY_MATCH),
    ],
}
