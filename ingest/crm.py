"""The CRM exports we load: Salesforce, HubSpot, Zendesk and a marketing spend sheet.

Each source names the vendor's export headers, our raw column names and types, which columns a
file must have, and the key of a row within one export (a repeated key keeps the newest
version). Files land in `$ROX_LANDING_DIR/crm/`.
"""

from __future__ import annotations

from ingest.csv_loader import CsvColumn as C
from ingest.csv_loader import CsvSource

SALESFORCE_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%gZ"
HUBSPOT_TIMESTAMP = "%Y-%m-%d %H:%M"
ZENDESK_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
ISO_DATE = "%Y-%m-%d"

SALESFORCE_ACCOUNTS = CsvSource(
    name="salesforce_accounts",
    folder="crm",
    pattern="salesforce_accounts*.csv",
    description="Salesforce Account export (Data Loader CSV): one row per customer account.",
    timestamp_format=SALESFORCE_TIMESTAMP,
    key=("Id",),
    version_column="LastModifiedDate",
    columns=(
        C("Id", "id", required=True),
        C("Name", "name", required=True),
        C("Type", "type"),
        C("Industry", "industry"),
        C("BillingCity", "billing_city"),
        C("BillingCountry", "billing_country"),
        C("Phone", "phone"),
        C("CreatedDate", "created_date", "TIMESTAMP", required=True),
        C("LastModifiedDate", "last_modified_date", "TIMESTAMP", required=True),
        C("Segment__c", "segment_c"),
        C("Primary_Job__c", "primary_job_c"),
        C("Region__c", "region_c"),
        C("Brand__c", "brand_c"),
    ),
)

SALESFORCE_CONTACTS = CsvSource(
    name="salesforce_contacts",
    folder="crm",
    pattern="salesforce_contacts*.csv",
    description="Salesforce Contact export: the people of each account, with their email.",
    timestamp_format=SALESFORCE_TIMESTAMP,
    key=("Id",),
    version_column="LastModifiedDate",
    columns=(
        C("Id", "id", required=True),
        C("AccountId", "account_id", required=True),
        C("FirstName", "first_name"),
        C("LastName", "last_name"),
        C("Email", "email", required=True),
        C("Phone", "phone"),
        C("MailingCountry", "mailing_country"),
        C("LeadSource", "lead_source"),
        C("CreatedDate", "created_date", "TIMESTAMP", required=True),
        C("LastModifiedDate", "last_modified_date", "TIMESTAMP", required=True),
    ),
)

SALESFORCE_ORDERS = CsvSource(
    name="salesforce_orders",
    folder="crm",
    pattern="salesforce_orders*.csv",
    description="Salesforce Order export with delivery and return custom fields.",
    timestamp_format=SALESFORCE_TIMESTAMP,
    date_format=ISO_DATE,
    key=("Id",),
    version_column="LastModifiedDate",
    columns=(
        C("Id", "id", required=True),
        C("AccountId", "account_id", required=True),
        C("OrderNumber", "order_number"),
        C("EffectiveDate", "effective_date", "DATE", required=True),
        C("Status", "status", required=True),
        C("TotalAmount", "total_amount", "DECIMAL(18,2)", required=True),
        C("CurrencyIsoCode", "currency_iso_code"),
        C("Margin__c", "margin_c", "DECIMAL(18,2)"),
        C("Product_Category__c", "product_category_c"),
        C("Channel__c", "channel_c"),
        C("Promised_Delivery_Date__c", "promised_delivery_date_c", "DATE"),
        C("Delivered_Date__c", "delivered_date_c", "DATE"),
        C("Returned__c", "returned_c", "BOOLEAN"),
        C("CreatedDate", "created_date", "TIMESTAMP"),
        C("LastModifiedDate", "last_modified_date", "TIMESTAMP", required=True),
    ),
)

HUBSPOT_CONTACTS = CsvSource(
    name="hubspot_contacts",
    folder="crm",
    pattern="hubspot_contacts*.csv",
    description="HubSpot contacts export: marketing contacts with lifecycle stage and source.",
    timestamp_format=HUBSPOT_TIMESTAMP,
    key=("Record ID",),
    version_column="Last Modified Date",
    columns=(
        C("Record ID", "record_id", "BIGINT", required=True),
        C("First Name", "first_name"),
        C("Last Name", "last_name"),
        C("Email", "email", required=True),
        C("Phone Number", "phone_number"),
        C("Lifecycle Stage", "lifecycle_stage"),
        C("Create Date", "create_date", "TIMESTAMP", required=True),
        C("Last Modified Date", "last_modified_date", "TIMESTAMP"),
        C("Original Source", "original_source"),
    ),
)

HUBSPOT_DEALS = CsvSource(
    name="hubspot_deals",
    folder="crm",
    pattern="hubspot_deals*.csv",
    description="HubSpot deals export: sales deals with business customers.",
    timestamp_format=HUBSPOT_TIMESTAMP,
    key=("Record ID",),
    columns=(
        C("Record ID", "record_id", "BIGINT", required=True),
        C("Deal Name", "deal_name"),
        C("Deal Stage", "deal_stage", required=True),
        C("Pipeline", "pipeline"),
        C("Amount", "amount", "DECIMAL(18,2)"),
        C("Create Date", "create_date", "TIMESTAMP", required=True),
        C("Close Date", "close_date", "TIMESTAMP"),
        C("Associated Contact IDs", "associated_contact_ids"),
    ),
)

ZENDESK_TICKETS = CsvSource(
    name="zendesk_tickets",
    folder="crm",
    pattern="zendesk_tickets*.csv",
    description="Zendesk ticket export: support tickets with category, channel and timings.",
    timestamp_format=ZENDESK_TIMESTAMP,
    key=("Id",),
    version_column="Updated at",
    columns=(
        C("Id", "id", "BIGINT", required=True),
        C("Requester", "requester"),
        C("Requester email", "requester_email", required=True),
        C("Subject", "subject"),
        C("Status", "status", required=True),
        C("Priority", "priority"),
        C("Via", "via"),
        C("Ticket type", "ticket_type"),
        C("Category [list]", "category_list"),
        C("Tags", "tags"),
        C("Created at", "created_at", "TIMESTAMP", required=True),
        C("Updated at", "updated_at", "TIMESTAMP"),
        C("Solved at", "solved_at", "TIMESTAMP"),
        C("First reply time in minutes", "first_reply_time_in_minutes", "BIGINT"),
        C("Full resolution time in minutes", "full_resolution_time_in_minutes", "BIGINT"),
    ),
)

MARKETING_SPEND = CsvSource(
    name="marketing_spend",
    folder="crm",
    pattern="marketing_spend*.csv",
    description="Marketing spend by month and channel (EUR).",
    date_format=ISO_DATE,
    key=("month", "channel"),
    columns=(
        C("month", "month", "DATE", required=True),
        C("channel", "channel", required=True),
        C("spend_eur", "spend_eur", "DECIMAL(18,2)", required=True),
        C("impressions", "impressions", "BIGINT"),
        C("clicks", "clicks", "BIGINT"),
    ),
)

CRM_SOURCES: tuple[CsvSource, ...] = (
    SALESFORCE_ACCOUNTS,
    SALESFORCE_CONTACTS,
    SALESFORCE_ORDERS,
    HUBSPOT_CONTACTS,
    HUBSPOT_DEALS,
    ZENDESK_TICKETS,
    MARKETING_SPEND,
)
