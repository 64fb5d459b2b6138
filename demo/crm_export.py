"""Writes the demo company's CRM data as files in the vendors' export layouts.

- Salesforce (Data Loader CSV, API field names as headers): Account, Contact, Order. Orders come
  in two yearly files whose boundary overlaps by a week, as overlapping exports do in practice.
- HubSpot (CRM export CSV, property labels as headers): contacts and deals.
- Zendesk (ticket CSV export): tickets.
- A marketing spend CSV (month, channel, spend).

The frames are handed to DuckDB, which formats the strings and writes the CSVs: fast at scale.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from demo.company import START_DATE, DemoCompany

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas",
    "Karin", "Luca", "Maja", "Noah", "Olga", "Paul", "Rosa", "Sami", "Tilda", "Umar",
    "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Björn", "Chloé", "Søren", "Zoë", "José",
]  # fmt: skip
LAST_NAMES = [
    "Adler", "Berg", "Costa", "Dahl", "Engel", "Fischer", "García", "Hansen", "Ivanova",
    "Jensen", "Keller", "Larsen", "Müller", "Novak", "Olsen", "Petit", "Quinn", "Rossi",
    "Schmidt", "Toth", "Ullrich", "Vogel", "Weber", "Young", "Zimmermann", "O'Brien",
]  # fmt: skip
DOMAINS = ["example.com", "example.org", "example.net"]

SF_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.000Z"
# Orders with an effective date before this go in the first file, plus an overlap week.
ORDER_FILE_SPLIT_DAY = 365
ORDER_FILE_OVERLAP_DAYS = 7


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _sf_id(prefix: str, column: str) -> str:
    """An 18-character Salesforce-style id from an integer column."""
    return f"'{prefix}Dm' || lpad({column}::varchar, 10, '0') || 'AAA'"


def _ts(day_column: str, second_column: str | None = None) -> str:
    """A timestamp expression from a day offset (and optional seconds) from START_DATE."""
    seconds = f" + to_seconds({second_column})" if second_column else ""
    return f"(date '{START_DATE}' + to_days({day_column}::integer){seconds})::timestamp"


def _day(day_column: str) -> str:
    return f"(date '{START_DATE}' + to_days({day_column}::integer))::date"


def register_company(con: duckdb.DuckDBPyConnection, company: DemoCompany) -> None:
    """Register the company's frames and a `people_emails` table (names, emails, phones) in
    `con`, so every export writer derives the same person data the same way."""
    for name in ("customers", "contacts", "orders", "tickets", "leads", "deals", "spend"):
        con.register(name, getattr(company, name))
    con.execute(
        f"""
        create or replace temp table people as
        select
            c.contact_idx,
            c.customer_idx,
            c.is_primary,
            c.created_day,
            {_sql_list(FIRST_NAMES)}[1 + c.first_name_idx % {len(FIRST_NAMES)}] as first_name,
            {_sql_list(LAST_NAMES)}[1 + c.last_name_idx % {len(LAST_NAMES)}] as last_name,
            {_sql_list(DOMAINS)}[1 + c.contact_idx % {len(DOMAINS)}] as domain
        from contacts as c
        """
    )
    con.execute(
        """
        create or replace temp table people_emails as
        select *,
            lower(strip_accents(replace(first_name, ' ', '')) || '.'
                || strip_accents(replace(replace(last_name, '''', ''), ' ', ''))
                || '.' || contact_idx::varchar || '@' || domain) as email,
            '+49 30 ' || lpad(((contact_idx * 7919) % 10000000)::varchar, 7, '0') as phone
        from people
        """
    )


def people(company: DemoCompany) -> pd.DataFrame:
    """contact_idx, customer_idx, is_primary, first_name, last_name, email of every contact."""
    with duckdb.connect() as con:
        register_company(con, company)
        return con.execute(
            "select contact_idx, customer_idx, is_primary, first_name, last_name, email "
            "from people_emails order by contact_idx"
        ).df()


def write_crm_exports(company: DemoCompany, crm_dir: Path) -> dict[str, int]:
    """Write every CRM export into `crm_dir`; return the number of data rows per file."""
    crm_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    register_company(con, company)
    queries = {
        "salesforce_accounts.csv": f"""
            select
                {_sf_id("001", "cu.customer_idx")} as Id,
                case when cu.segment = 'consumer' then p.first_name || ' ' || p.last_name
                     else p.last_name || ' ' || (['GmbH', 'AG', 'Studio', 'KG'])[
                         1 + cu.customer_idx % 4] end as Name,
                case when cu.segment = 'consumer' then 'Customer - Direct'
                     else 'Customer - Business' end as Type,
                case cu.segment when 'consumer' then null when 'small_business'
                     then 'Professional Services' else 'Corporate' end as Industry,
                cu.city as BillingCity,
                cu.territory as BillingCountry,
                p.phone as Phone,
                strftime({_ts("cu.acquired_day")}, '{SF_TIMESTAMP}') as CreatedDate,
                strftime({_ts("cu.acquired_day")}, '{SF_TIMESTAMP}') as LastModifiedDate,
                cu.segment as Segment__c,
                cu.job as Primary_Job__c,
                cu.region as Region__c,
                cu.brand as Brand__c
            from customers as cu
            join people_emails as p on p.customer_idx = cu.customer_idx and p.is_primary
            order by cu.customer_idx
        """,
        "salesforce_contacts.csv": f"""
            select
                {_sf_id("003", "p.contact_idx")} as Id,
                {_sf_id("001", "p.customer_idx")} as AccountId,
                p.first_name as FirstName,
                p.last_name as LastName,
                p.email as Email,
                p.phone as Phone,
                cu.territory as MailingCountry,
                cu.acquisition_channel as LeadSource,
                strftime({_ts("p.created_day")}, '{SF_TIMESTAMP}') as CreatedDate,
                strftime({_ts("p.created_day")}, '{SF_TIMESTAMP}') as LastModifiedDate
            from people_emails as p
            join customers as cu on cu.customer_idx = p.customer_idx
            order by p.contact_idx
        """,
        "hubspot_contacts.csv": f"""
            select * exclude (sort_key) from (
                select
                    51000000 + p.contact_idx as "Record ID",
                    p.first_name as "First Name",
                    p.last_name as "Last Name",
                    -- HubSpot keeps the address as typed: the case differs from Salesforce.
                    case when p.contact_idx % 5 = 0 then upper(p.email[1]) || p.email[2:]
                         else p.email end as "Email",
                    p.phone as "Phone Number",
                    'customer' as "Lifecycle Stage",
                    strftime({_ts("p.created_day")}, '%Y-%m-%d %H:%M') as "Create Date",
                    strftime({_ts("p.created_day")}, '%Y-%m-%d %H:%M') as "Last Modified Date",
                    cu.acquisition_channel as "Original Source",
                    p.contact_idx as sort_key
                from people_emails as p
                join customers as cu on cu.customer_idx = p.customer_idx
                union all
                select
                    61000000 + l.lead_idx,
                    {_sql_list(FIRST_NAMES)}[1 + l.first_name_idx % {len(FIRST_NAMES)}],
                    {_sql_list(LAST_NAMES)}[1 + l.last_name_idx % {len(LAST_NAMES)}],
                    'lead.' || l.lead_idx::varchar || '@example.org',
                    null,
                    case when l.qualified then 'marketingqualifiedlead' else 'lead' end,
                    strftime({_ts("l.created_day")}, '%Y-%m-%d %H:%M'),
                    strftime({_ts("l.created_day")}, '%Y-%m-%d %H:%M'),
                    l.channel,
                    1000000000 + l.lead_idx
                from leads as l
            )
            order by sort_key
        """,
        "hubspot_deals.csv": f"""
            select
                71000000 + d.deal_idx as "Record ID",
                'Workspace order ' || (71000000 + d.deal_idx)::varchar as "Deal Name",
                d.stage as "Deal Stage",
                'Sales Pipeline' as "Pipeline",
                d.amount_eur as "Amount",
                strftime({_ts("d.created_day")}, '%Y-%m-%d %H:%M') as "Create Date",
                strftime({_ts("d.close_day")}, '%Y-%m-%d %H:%M') as "Close Date",
                (51000000 + p.contact_idx)::varchar as "Associated Contact IDs"
            from deals as d
            join people_emails as p on p.customer_idx = d.customer_idx and p.is_primary
            order by d.deal_idx
        """,
        "zendesk_tickets.csv": f"""
            select
                10000 + t.ticket_idx as "Id",
                p.first_name || ' ' || p.last_name as "Requester",
                p.email as "Requester email",
                case t.category
                    when 'delivery' then 'Where is my order ' || o.order_number || '?'
                    when 'returns' then 'Return for order ' || o.order_number
                    when 'product' then 'Problem with my ' || o.category || ' item'
                    when 'billing' then 'Question about my invoice'
                    else 'Cannot log in to my account' end as "Subject",
                case when t.resolution_minutes >= 0 then 'Solved' else 'Open' end as "Status",
                t.priority as "Priority",
                t.channel as "Via",
                case when t.category in ('delivery', 'returns', 'product') then 'Problem'
                     else 'Question' end as "Ticket type",
                t.category as "Category [list]",
                t.category || ' ' || t.channel as "Tags",
                strftime({_ts("0", "t.created_second")}, '%Y-%m-%d %H:%M:%S') as "Created at",
                strftime({_ts("0", "t.created_second + greatest(t.resolution_minutes, 0) * 60")},
                    '%Y-%m-%d %H:%M:%S') as "Updated at",
                case when t.resolution_minutes >= 0 then strftime(
                    {_ts("0", "t.created_second + t.resolution_minutes * 60")},
                    '%Y-%m-%d %H:%M:%S') end as "Solved at",
                t.first_reply_minutes as "First reply time in minutes",
                case when t.resolution_minutes >= 0 then t.resolution_minutes end
                    as "Full resolution time in minutes"
            from tickets as t
            join people_emails as p on p.contact_idx = t.contact_idx
            join (select order_idx, category,
                         lpad((10000000 + order_idx)::varchar, 8, '0') as order_number
                  from orders) as o on o.order_idx = t.order_idx
            order by t.ticket_idx
        """,
        "marketing_spend.csv": """
            select strftime(month, '%Y-%m-%d') as month, channel, spend_eur, impressions, clicks
            from spend order by month, channel
        """,
    }
    con.execute(
        f"""
        create temp table order_rows as
        select
            o.day,
            {_sf_id("801", "o.order_idx")} as Id,
            {_sf_id("001", "o.customer_idx")} as AccountId,
            lpad((10000000 + o.order_idx)::varchar, 8, '0') as OrderNumber,
            strftime({_day("o.day")}, '%Y-%m-%d') as EffectiveDate,
            o.status as Status,
            o.amount_eur as TotalAmount,
            'EUR' as CurrencyIsoCode,
            o.margin_eur as Margin__c,
            o.category as Product_Category__c,
            o.channel as Channel__c,
            strftime({_day("o.promised_day")}, '%Y-%m-%d') as Promised_Delivery_Date__c,
            case when o.delivered_day >= 0
                 then strftime({_day("o.delivered_day")}, '%Y-%m-%d') end as Delivered_Date__c,
            case when o.returned then 'true' else 'false' end as Returned__c,
            strftime({_ts("o.day", "o.second_of_day")}, '{SF_TIMESTAMP}') as CreatedDate,
            strftime({_ts("greatest(o.delivered_day, o.day)", "o.second_of_day")},
                '{SF_TIMESTAMP}') as LastModifiedDate
        from orders as o
        order by o.order_idx
        """
    )
    first_end = START_DATE + ORDER_FILE_SPLIT_DAY
    queries[f"salesforce_orders_{START_DATE}_{first_end}.csv"] = f"""
        select * exclude (day) from order_rows
        where day < {ORDER_FILE_SPLIT_DAY + ORDER_FILE_OVERLAP_DAYS}
    """
    queries[f"salesforce_orders_{first_end}_{START_DATE + company.days}.csv"] = f"""
        select * exclude (day) from order_rows where day >= {ORDER_FILE_SPLIT_DAY}
    """

    rows = {}
    for file_name, query in queries.items():
        path = crm_dir / file_name
        con.execute(f"copy ({query}) to '{path}' (header, delimiter ',')")
        rows[file_name] = con.execute(f"select count(*) from ({query})").fetchall()[0][0]
    con.close()
    return rows
