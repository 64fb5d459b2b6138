"""Business KPIs computed straight from the generated export files with pandas.

An independent second implementation of the definitions in business_kpis.yml, for the
end-to-end test to compare the warehouse against.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def expected_kpis(
    crm_dir: Path,
    cost_per_ticket_eur: float = 6.5,
    active_window_days: int = 180,
    addressable_market: int = 250000,
) -> pd.DataFrame:
    orders = pd.concat(pd.read_csv(p) for p in sorted(crm_dir.glob("salesforce_orders*.csv")))
    orders = orders.drop_duplicates("Id")
    orders = orders[orders["Status"] != "Cancelled"].copy()
    orders["date"] = pd.to_datetime(orders["EffectiveDate"])
    orders["month"] = orders["date"].dt.to_period("M")
    orders["returned"] = orders["Returned__c"].astype(str).str.lower() == "true"
    tickets = pd.read_csv(crm_dir / "zendesk_tickets.csv")
    tickets["month"] = pd.to_datetime(tickets["Created at"]).dt.to_period("M")
    spend = pd.read_csv(crm_dir / "marketing_spend.csv")
    spend["month"] = pd.to_datetime(spend["month"]).dt.to_period("M")

    first_month = orders.groupby("AccountId")["month"].min()
    rows = []
    months = pd.period_range(orders["month"].min(), orders["month"].max(), freq="M")
    previously_active: set[str] = set()
    for month in months:
        end = month.to_timestamp(how="end").normalize()
        upto = orders[orders["date"] <= end]
        in_month = orders[orders["month"] == month]
        recent = upto[upto["date"] > end - pd.Timedelta(days=active_window_days)]
        active = set(recent["AccountId"])
        customers = upto["AccountId"].nunique()
        new = int((first_month == month).sum())
        buyers = set(in_month["AccountId"])
        repeat = {a for a in buyers if first_month[a] < month}
        cross_sold = int((upto.groupby("AccountId")["Product_Category__c"].nunique() >= 2).sum())
        n_tickets = int((tickets["month"] == month).sum())
        month_spend = float(spend.loc[spend["month"] == month, "spend_eur"].sum())
        kept = in_month[~in_month["returned"]]
        rows.append(
            {
                "month_start": month.to_timestamp().date(),
                "customers": customers,
                "new_customers": new,
                "active_customers": len(active),
                "churned_customers": len(previously_active - active),
                "orders": len(in_month),
                "returned_orders": int(in_month["returned"].sum()),
                "revenue_eur": round(float(kept["TotalAmount"].sum()), 2),
                "margin_eur": round(float(kept["Margin__c"].sum()), 2),
                "tickets": n_tickets,
                "marketing_spend_eur": round(month_spend, 2),
                "cac_eur": month_spend / new if new else None,
                "cost_to_serve_eur": n_tickets * cost_per_ticket_eur / len(active)
                if active
                else None,
                "churn_rate": len(previously_active - active) / len(previously_active)
                if previously_active
                else None,
                "repeat_purchase_rate": len(repeat) / len(buyers) if buyers else None,
                "return_rate": in_month["returned"].sum() / len(in_month)
                if len(in_month)
                else None,
                "cross_sell_rate": cross_sold / customers if customers else None,
                "penetration": len(active) / addressable_market,
            }
        )
        previously_active = active
    return pd.DataFrame(rows)
