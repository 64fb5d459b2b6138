"""Simulates the demo company: customers, their experiences, orders, tickets and marketing spend.

Everything is vectorised with numpy so a million customers take seconds, and deterministic by seed.
The planted causal structure (what the analytics must recover) is in `TRUTH`:

- each customer has a latent experience quality per touchpoint; the support touchpoint is the
  clearest pain point (lowest mean quality);
- loyalty is driven most by delivery: a late delivery sharply raises the chance the customer
  stops buying after that order, and the delivery quality carries the largest loyalty weight;
- customers with poor experiences churn more, buy less often and spend less per order;
- the effective initiative (better dispatch and carrier) cuts late deliveries from its start
  month; the placebo initiative (a checkout redesign) changes nothing;
- one territory (`weak_delivery_territory`, Austria) delivers late more often, the others less,
  at the same company-wide late rate;
- the effective soft initiative (training of the support team) raises the support team's
  engagement (eNPS) from its start, and support experience follows a month later; the soft
  placebo (culture workshops for merchandising) changes nothing (demo/feedback.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

START_DATE = np.datetime64("2024-11-01")
MONTHS = 24

SEGMENTS = np.array(["consumer", "small_business", "enterprise"])
SEGMENT_SHARE = np.array([0.70, 0.22, 0.08])
SEGMENT_ORDER_VALUE_MULTIPLIER = np.array([1.0, 2.4, 5.5])

JOBS = np.array(["furnish_home_office", "refresh_living_space", "keep_home_stocked"])
JOB_SHARE_BY_SEGMENT = np.array(
    [
        [0.20, 0.40, 0.40],  # consumer
        [0.60, 0.20, 0.20],  # small_business
        [0.70, 0.10, 0.20],  # enterprise
    ]
)

CATEGORIES = np.array(["furniture", "lighting", "office", "textiles", "kitchen", "essentials"])
# Probability of each product category by job: the job shapes the basket, cross-sell emerges.
CATEGORY_SHARE_BY_JOB = np.array(
    [
        [0.30, 0.15, 0.40, 0.05, 0.02, 0.08],  # furnish_home_office
        [0.35, 0.25, 0.03, 0.27, 0.05, 0.05],  # refresh_living_space
        [0.03, 0.05, 0.05, 0.12, 0.30, 0.45],  # keep_home_stocked
    ]
)
CATEGORY_MARGIN_RATE = np.array([0.38, 0.45, 0.30, 0.50, 0.42, 0.22])

TOUCHPOINTS = np.array(["website", "checkout", "delivery", "product", "support"])
TOUCHPOINT_STAGE = {
    "website": "discover",
    "checkout": "buy",
    "delivery": "receive",
    "product": "use",
    "support": "get_help",
}
TOUCHPOINT_MEAN_QUALITY = np.array([0.6, 0.5, 0.3, 0.4, -0.9])
LOYALTY_WEIGHTS = np.array([0.05, 0.10, 0.40, 0.20, 0.25])

CHANNELS = np.array(
    [
        "Organic Search",
        "Paid Search",
        "Paid Social",
        "Email Marketing",
        "Referrals",
        "Direct Traffic",
    ]
)
CHANNEL_SHARE = np.array([0.25, 0.25, 0.15, 0.10, 0.10, 0.15])
# Marketing spend per acquired customer; direct traffic costs nothing and has no spend rows.
CHANNEL_COST_PER_CUSTOMER_EUR = np.array([9.0, 46.0, 58.0, 12.0, 21.0, 0.0])

# The investment ledger of the default company (REFERENCE_CUSTOMERS customers): the seed
# dbt_project/seeds/initiatives.csv holds the same rows. Costs scale with the company's size
# (`ledger`), so ROX means the same at 5,000 and 1,000,000 customers.
REFERENCE_CUSTOMERS = 5000
INITIATIVES = [
    {
        "initiative_id": "INI-01",
        "name": "Dispatch cut-off alerts and a carrier scorecard",
        "touchpoint": "delivery",
        "investment_kind": "hard",
        "investment_category": "technology",
        "cost_per_month_eur": 800,
        "start_month": "2025-11",
        "effective": True,
    },
    {
        "initiative_id": "INI-02",
        "name": "Checkout page redesign",
        "touchpoint": "checkout",
        "investment_kind": "hard",
        "investment_category": "technology",
        "cost_per_month_eur": 2500,
        "start_month": "2025-09",
        "effective": False,
    },
    # Soft: they act through the owning team's EX (eNPS), which then moves its touchpoints' CX.
    {
        "initiative_id": "INI-03",
        "name": "Coaching and training of the support team",
        "touchpoint": "support",
        "investment_kind": "soft",
        "investment_category": "training",
        "cost_per_month_eur": 300,
        "start_month": "2025-10",
        "effective": True,
    },
    {
        "initiative_id": "INI-04",
        "name": "Culture workshops for the merchandising team",
        "touchpoint": "product",
        "investment_kind": "soft",
        "investment_category": "culture",
        "cost_per_month_eur": 200,
        "start_month": "2025-10",
        "effective": False,
    },
]
# How much the effective initiative lowers the log-odds of a late delivery.
INITIATIVE_LATE_LOGIT_EFFECT = 1.1
# The effective soft initiative: the support team's engagement (latent, per employee) rises by
# this much from its start; support quality follows EX_TO_SUPPORT_QUALITY per unit of
# engagement, EX_TO_CX_LAG_MONTHS later.
SOFT_ENGAGEMENT_LIFT = 0.9
EX_TO_SUPPORT_QUALITY = 0.8
EX_TO_CX_LAG_MONTHS = 1


def ledger(n_customers: int, initiatives_seed: pd.DataFrame, actions_seed: pd.DataFrame) -> dict:
    """The company's ledger (initiatives, actions) with costs scaled to its size: the seed's
    rows are the default company's (REFERENCE_CUSTOMERS customers)."""
    scale = n_customers / REFERENCE_CUSTOMERS
    initiatives = initiatives_seed.assign(
        cost_per_month_eur=(initiatives_seed["cost_per_month_eur"] * scale).round(2)
    )
    actions = actions_seed.assign(
        estimated_cost_eur=(actions_seed["estimated_cost_eur"] * scale).round(2)
    )
    return {"initiatives": initiatives, "actions": actions}


def soft_start_month(effective: bool) -> int:
    """Month index (from START_DATE) of the effective (or placebo) soft initiative's start."""
    soft = next(
        i for i in INITIATIVES if i["investment_kind"] == "soft" and i["effective"] is effective
    )
    start = np.datetime64(soft["start_month"], "M") - START_DATE.astype("datetime64[M]")
    return int(start.astype(int))


# Territories (billing country and sales region), brands (business units) and sales channels.
# They come from their own random stream (seeded from the company's seed), so adding them left
# every other draw of the simulation as it was.
TERRITORIES = np.array(["Germany", "Austria", "Switzerland", "Netherlands", "France"])
TERRITORY_REGION = np.array(["DACH", "DACH", "DACH", "Benelux", "West"])
TERRITORY_SHARE = np.array([0.50, 0.15, 0.10, 0.15, 0.10])
TERRITORY_CITIES = {
    "Germany": ["Berlin", "Hamburg", "München", "Köln", "Leipzig"],
    "Austria": ["Wien", "Graz", "Linz"],
    "Switzerland": ["Zürich", "Basel", "Genève"],
    "Netherlands": ["Amsterdam", "Rotterdam", "Utrecht"],
    "France": ["Paris", "Lyon", "Lille"],
}
# Business units: consumers mostly buy from the home brand, businesses from the pro brand.
BRANDS = np.array(["Hearth Home", "Hearth Pro"])
HOME_BRAND_SHARE_BY_SEGMENT = np.array([0.85, 0.15, 0.10])
SALES_CHANNELS = np.array(["web", "app", "store", "phone", "marketplace"])
SALES_CHANNEL_SHARE = np.array([0.45, 0.25, 0.12, 0.08, 0.10])
# Share of a customer's orders placed through their preferred channel.
PREFERRED_CHANNEL_SHARE = 0.75
DIMENSION_STREAM = 21

TICKET_CHANNELS = np.array(["email", "web", "chat", "voice"])
TICKET_CHANNEL_SHARE = np.array([0.40, 0.30, 0.20, 0.10])
OTHER_TICKET_CATEGORIES = np.array(["product", "billing", "account"])

# One territory delivers worse: its orders' log-odds of arriving late are this much higher,
# and the other territories' are lower by as much as keeps the company's late rate where it
# was (_territory_late_shift), so only where lateness happens moves, not how much of it.
WEAK_DELIVERY_TERRITORY = "Austria"
WEAK_DELIVERY_LATE_LOGIT_SHIFT = 0.9

TRUTH = {
    "strongest_driver_touchpoint": "delivery",
    "pain_touchpoint": "support",
    "weak_delivery_territory": WEAK_DELIVERY_TERRITORY,
    "effective_initiative_id": "INI-01",
    "placebo_initiative_id": "INI-02",
    "effective_soft_initiative_id": "INI-03",
    "placebo_soft_initiative_id": "INI-04",
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _late_log_odds(q_delivery: np.ndarray) -> np.ndarray:
    """Log-odds of a late delivery from the customer's delivery quality, before the territory's
    shift and any initiative (the simulation and the territory's compensation share it)."""
    return -1.3 - 1.0 * q_delivery


def _territory_late_shift(customers: pd.DataFrame) -> np.ndarray:
    """Each customer's shift of the late-delivery log-odds: +WEAK_DELIVERY_LATE_LOGIT_SHIFT in
    the weak territory, and in every other territory the one negative shift that leaves the
    mean late probability over customers (before any initiative) unchanged (by bisection: no
    random draws, so the simulation's random streams stay as they were)."""
    base = _late_log_odds(customers["quality_delivery"].to_numpy())
    weak = customers["territory"].to_numpy() == WEAK_DELIVERY_TERRITORY
    if weak.all() or not weak.any():
        return np.zeros(len(customers))
    target = _sigmoid(base).mean()
    raised = _sigmoid(base[weak] + WEAK_DELIVERY_LATE_LOGIT_SHIFT).sum()
    low, high = -WEAK_DELIVERY_LATE_LOGIT_SHIFT * 4, 0.0
    for _ in range(60):
        mid = (low + high) / 2
        mean = (raised + _sigmoid(base[~weak] + mid).sum()) / len(base)
        low, high = (low, mid) if mean > target else (mid, high)
    return np.where(weak, WEAK_DELIVERY_LATE_LOGIT_SHIFT, (low + high) / 2)


def _month_start_day(month: str) -> int:
    """Days from START_DATE to the first day of a 'YYYY-MM' month."""
    return int((np.datetime64(month + "-01") - START_DATE).astype(int))


@dataclass
class DemoCompany:
    """The simulated company: one DataFrame per entity, with integer day offsets from START_DATE."""

    seed: int
    days: int
    customers: pd.DataFrame
    contacts: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    leads: pd.DataFrame
    deals: pd.DataFrame
    spend: pd.DataFrame


def simulate(n_customers: int = 5000, seed: int = 42) -> DemoCompany:
    """Simulate the demo company with `n_customers` buying customers."""
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    rng = np.random.default_rng(seed)
    end_date = (START_DATE.astype("datetime64[M]") + MONTHS).astype("datetime64[D]")
    days = int((end_date - START_DATE).astype(int))

    customers = _simulate_customers(rng, n_customers, days)
    dimensions = np.random.default_rng([seed, DIMENSION_STREAM])
    _assign_dimensions(dimensions, customers)
    orders = _simulate_orders(rng, customers, days)
    _assign_order_channels(dimensions, customers, orders)
    customers["dropped_out"] = (
        orders.groupby("customer_idx")["drops_after"].any().reindex(customers.index).to_numpy()
    )
    contacts = _simulate_contacts(rng, customers)
    tickets = _simulate_tickets(rng, customers, contacts, orders, days)
    leads = _simulate_leads(rng, n_customers, days)
    deals = _simulate_deals(rng, customers, orders, days)
    spend = _simulate_spend(rng, customers)
    return DemoCompany(seed, days, customers, contacts, orders, tickets, leads, deals, spend)


def _simulate_customers(rng: np.random.Generator, n: int, days: int) -> pd.DataFrame:
    segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    job_u = rng.random(n)
    job = (job_u[:, None] > np.cumsum(JOB_SHARE_BY_SEGMENT[segment], axis=1)).sum(axis=1)
    # Acquisition grows over the two years (more customers join later).
    acquired_day = np.floor(rng.beta(1.4, 1.0, n) * (days - 1)).astype(np.int64)
    quality = rng.normal(TOUCHPOINT_MEAN_QUALITY, 1.0, size=(n, len(TOUCHPOINTS)))
    experience = quality @ LOYALTY_WEIGHTS
    experience_z = (experience - experience.mean()) / (experience.std() or 1.0)
    purchase_rate = rng.gamma(1.2, 1 / 35.0, n) * np.exp(0.15 * experience_z)
    order_value = (
        85.0
        * SEGMENT_ORDER_VALUE_MULTIPLIER[segment]
        * np.exp(0.20 * experience_z)
        * rng.lognormal(0.0, 0.3, n)
    )
    frame = pd.DataFrame(
        {
            "customer_idx": np.arange(n),
            "segment": SEGMENTS[segment],
            "job": JOBS[np.minimum(job, len(JOBS) - 1)],
            "job_idx": np.minimum(job, len(JOBS) - 1),
            "acquisition_channel": CHANNELS[rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)],
            "acquired_day": acquired_day,
            "experience_z": experience_z,
            "purchase_rate_per_day": purchase_rate,
            "mean_order_value_eur": order_value,
        }
    )
    for i, touchpoint in enumerate(TOUCHPOINTS):
        frame[f"quality_{touchpoint}"] = quality[:, i]
    return frame


def _assign_dimensions(rng: np.random.Generator, customers: pd.DataFrame) -> None:
    """Territory (country, region, city), brand and preferred sales channel of each customer."""
    n = len(customers)
    territory = rng.choice(len(TERRITORIES), size=n, p=TERRITORY_SHARE)
    segment = pd.Index(SEGMENTS).get_indexer(customers["segment"])
    home = rng.random(n) < HOME_BRAND_SHARE_BY_SEGMENT[segment]
    city_pick = rng.integers(0, 1 << 16, n)
    customers["territory"] = TERRITORIES[territory]
    customers["region"] = TERRITORY_REGION[territory]
    customers["city"] = [
        TERRITORY_CITIES[t][c % len(TERRITORY_CITIES[t])]
        for t, c in zip(TERRITORIES[territory], city_pick, strict=True)
    ]
    customers["brand"] = np.where(home, BRANDS[0], BRANDS[1])
    customers["preferred_channel"] = SALES_CHANNELS[
        rng.choice(len(SALES_CHANNELS), size=n, p=SALES_CHANNEL_SHARE)
    ]


def _assign_order_channels(
    rng: np.random.Generator, customers: pd.DataFrame, orders: pd.DataFrame
) -> None:
    """Most orders go through the customer's preferred channel, the rest through any."""
    n = len(orders)
    preferred = customers["preferred_channel"].to_numpy()[orders["customer_idx"].to_numpy()]
    other = SALES_CHANNELS[rng.choice(len(SALES_CHANNELS), size=n, p=SALES_CHANNEL_SHARE)]
    orders["channel"] = np.where(rng.random(n) < PREFERRED_CHANNEL_SHARE, preferred, other)


def _simulate_orders(rng: np.random.Generator, customers: pd.DataFrame, days: int) -> pd.DataFrame:
    """BG/NBD-style buying: first order at acquisition, then Poisson repeats until dropout.

    The simulation runs in rounds (the k-th order of every customer still buying), each round
    vectorised over customers, so the work grows with the number of orders, not of customers.
    """
    effective = next(i for i in INITIATIVES if i["effective"] and i["investment_kind"] == "hard")
    effective_day = _month_start_day(effective["start_month"])
    q_delivery = customers["quality_delivery"].to_numpy()
    q_product = customers["quality_product"].to_numpy()
    territory_shift = _territory_late_shift(customers)
    experience_z = customers["experience_z"].to_numpy()
    rate = customers["purchase_rate_per_day"].to_numpy()

    idx = customers["customer_idx"].to_numpy()
    day = customers["acquired_day"].to_numpy().astype(float)
    rounds = []
    while idx.size:
        order_day = np.floor(day).astype(np.int64)
        initiative_lift = np.where(order_day >= effective_day, INITIATIVE_LATE_LOGIT_EFFECT, 0.0)
        late = rng.random(idx.size) < _sigmoid(
            _late_log_odds(q_delivery[idx]) + territory_shift[idx] - initiative_lift
        )
        drops = rng.random(idx.size) < _sigmoid(-2.2 - 0.5 * experience_z[idx] + 1.2 * late)
        rounds.append(pd.DataFrame({"customer_idx": idx, "day": order_day, "late": late}))
        rounds[-1]["drops_after"] = drops
        next_day = day + rng.exponential(1.0 / rate[idx])
        keep = ~drops & (next_day < days)
        idx, day = idx[keep], next_day[keep]

    orders = pd.concat(rounds, ignore_index=True).sort_values(["day", "customer_idx"])
    orders = orders.reset_index(drop=True)
    n = len(orders)
    cust = orders["customer_idx"].to_numpy()
    job_idx = customers["job_idx"].to_numpy()[cust]
    cat_u = rng.random(n)
    category = (cat_u[:, None] > np.cumsum(CATEGORY_SHARE_BY_JOB[job_idx], axis=1)).sum(axis=1)
    category = np.minimum(category, len(CATEGORIES) - 1)
    mean_value = customers["mean_order_value_eur"].to_numpy()[cust]
    amount = np.round(rng.gamma(4.0, mean_value / 4.0) + 5.0, 2)
    margin_rate = np.clip(CATEGORY_MARGIN_RATE[category] + rng.normal(0, 0.04, n), 0.02, 0.8)
    cancelled = rng.random(n) < 0.015
    late = orders["late"].to_numpy() & ~cancelled
    returned = ~cancelled & (rng.random(n) < _sigmoid(-3.0 + 1.0 * late - 0.6 * q_product[cust]))
    promised_days = 2 + rng.integers(0, 4, n)
    late_days = 1 + rng.poisson(2.0, n)
    early_days = rng.integers(0, 2, n)
    delivered_offset = np.where(late, promised_days + late_days, promised_days - early_days)
    delivered_day = orders["day"].to_numpy() + delivered_offset
    delivered = ~cancelled & (delivered_day < days)

    orders["category"] = CATEGORIES[category]
    orders["amount_eur"] = amount
    orders["margin_eur"] = np.round(amount * margin_rate, 2)
    orders["status"] = np.where(cancelled, "Cancelled", "Activated")
    orders["late"] = late
    orders["returned"] = returned & delivered
    orders["promised_day"] = orders["day"].to_numpy() + promised_days
    orders["delivered_day"] = np.where(delivered, delivered_day, -1)
    orders["second_of_day"] = rng.integers(7 * 3600, 23 * 3600, n)
    orders["order_idx"] = np.arange(n)
    return orders


def _simulate_contacts(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    """One contact per consumer account; businesses have one to three."""
    extra = np.where(
        customers["segment"].to_numpy() == "consumer",
        0,
        rng.integers(0, 3, len(customers)),
    )
    owner = np.repeat(customers["customer_idx"].to_numpy(), 1 + extra)
    is_primary = np.ones(len(owner), dtype=bool)
    is_primary[1:] = owner[1:] != owner[:-1]
    return pd.DataFrame(
        {
            "contact_idx": np.arange(len(owner)),
            "customer_idx": owner,
            "is_primary": is_primary,
            "first_name_idx": rng.integers(0, 1 << 16, len(owner)),
            "last_name_idx": rng.integers(0, 1 << 16, len(owner)),
            "created_day": customers["acquired_day"].to_numpy()[owner],
        }
    )


def _simulate_tickets(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    contacts: pd.DataFrame,
    orders: pd.DataFrame,
    days: int,
) -> pd.DataFrame:
    """Tickets follow bad experiences: late deliveries and returns, plus everyday questions."""
    live = orders[orders["status"] == "Activated"]
    late = live["late"].to_numpy()
    returned = live["returned"].to_numpy()
    cust = live["customer_idx"].to_numpy()
    q_product = customers["quality_product"].to_numpy()[cust]
    has_ticket = rng.random(len(live)) < _sigmoid(
        -2.6 + 2.2 * late + 2.0 * returned - 0.3 * q_product
    )
    other = rng.choice(len(OTHER_TICKET_CATEGORIES), size=len(live))
    category = np.where(
        late, "delivery", np.where(returned, "returns", OTHER_TICKET_CATEGORIES[other])
    )
    created_day = np.where(
        late,
        live["promised_day"].to_numpy() + 1,
        np.where(
            returned,
            live["delivered_day"].to_numpy() + 3,
            live["day"].to_numpy() + rng.integers(0, 10, len(live)),
        ),
    )
    keep = has_ticket & (created_day < days)
    cust, category, created_day = cust[keep], category[keep], created_day[keep]
    order_idx = live["order_idx"].to_numpy()[keep]
    n = int(keep.sum())

    # The requester is one of the account's contacts.
    first_contact = contacts.groupby("customer_idx")["contact_idx"].min().to_numpy()
    n_contacts = contacts.groupby("customer_idx")["contact_idx"].count().to_numpy()
    requester = first_contact[cust] + (rng.random(n) * n_contacts[cust]).astype(np.int64)

    q_support = customers["quality_support"].to_numpy()[cust]
    first_reply = np.round(rng.lognormal(np.log(240.0) - 0.6 * q_support, 0.8)).astype(np.int64)
    resolution = first_reply + np.round(
        rng.lognormal(np.log(1440.0) - 0.5 * q_support, 0.9)
    ).astype(np.int64)
    created_second = created_day * 86400 + rng.integers(8 * 3600, 20 * 3600, n)
    solved = created_second + resolution * 60 < days * 86400
    tickets = pd.DataFrame(
        {
            "ticket_idx": np.arange(n),
            "customer_idx": cust,
            "contact_idx": requester,
            "order_idx": order_idx,
            "category": category,
            "channel": TICKET_CHANNELS[
                rng.choice(len(TICKET_CHANNELS), size=n, p=TICKET_CHANNEL_SHARE)
            ],
            "created_second": created_second,
            "first_reply_minutes": first_reply,
            "resolution_minutes": np.where(solved, resolution, -1),
            "priority": np.where(category == "delivery", "high", "normal"),
        }
    )
    return tickets.sort_values("created_second", kind="stable").reset_index(drop=True)


def _simulate_leads(rng: np.random.Generator, n_customers: int, days: int) -> pd.DataFrame:
    """Marketing contacts in HubSpot who never bought (the customers are added on export)."""
    n = max(1, int(0.4 * n_customers))
    return pd.DataFrame(
        {
            "lead_idx": np.arange(n),
            "created_day": rng.integers(0, days, n),
            "channel": CHANNELS[rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)],
            "first_name_idx": rng.integers(0, 1 << 16, n),
            "last_name_idx": rng.integers(0, 1 << 16, n),
            "qualified": rng.random(n) < 0.3,
        }
    )


def _simulate_deals(
    rng: np.random.Generator, customers: pd.DataFrame, orders: pd.DataFrame, days: int
) -> pd.DataFrame:
    """Business customers' first orders come through a sales deal (won); some deals are lost."""
    business = customers[customers["segment"] != "consumer"]
    first_orders = orders.groupby("customer_idx").first()
    won = first_orders.loc[business["customer_idx"]]
    won_deals = pd.DataFrame(
        {
            "customer_idx": business["customer_idx"].to_numpy(),
            "amount_eur": won["amount_eur"].to_numpy(),
            "close_day": won["day"].to_numpy(),
            "stage": "closedwon",
        }
    )
    lost = business.sample(frac=0.3, random_state=int(rng.integers(0, 2**31)))
    lost_deals = pd.DataFrame(
        {
            "customer_idx": lost["customer_idx"].to_numpy(),
            "amount_eur": np.round(rng.gamma(4.0, lost["mean_order_value_eur"].to_numpy() / 4), 2),
            "close_day": np.minimum(
                lost["acquired_day"].to_numpy() + rng.integers(20, 200, len(lost)), days - 1
            ),
            "stage": "closedlost",
        }
    )
    deals = pd.concat([won_deals, lost_deals], ignore_index=True)
    deals["created_day"] = np.maximum(deals["close_day"] - rng.integers(3, 45, len(deals)), 0)
    deals["deal_idx"] = np.arange(len(deals))
    return deals


def _simulate_spend(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    """Monthly spend per paid channel, proportional to the customers it brought in."""
    month = (
        (START_DATE + customers["acquired_day"].to_numpy().astype("timedelta64[D]"))
        .astype("datetime64[M]")
        .astype(int)
    )
    months = (START_DATE.astype("datetime64[M]") + np.arange(MONTHS)).astype(int)
    channel_idx = pd.Categorical(customers["acquisition_channel"], categories=CHANNELS).codes
    counts = np.zeros((MONTHS, len(CHANNELS)))
    np.add.at(counts, (month - months[0], channel_idx), 1)
    spend = counts * CHANNEL_COST_PER_CUSTOMER_EUR * rng.lognormal(0.0, 0.15, counts.shape)
    # Brand campaigns: a fixed monthly base on the paid channels, whatever they convert.
    spend += np.where(CHANNEL_COST_PER_CUSTOMER_EUR > 20, 250.0, 0.0)
    rows = []
    for c, channel in enumerate(CHANNELS):
        if CHANNEL_COST_PER_CUSTOMER_EUR[c] == 0:
            continue
        clicks = np.round(spend[:, c] / rng.uniform(0.6, 1.4, MONTHS)).astype(np.int64)
        rows.append(
            pd.DataFrame(
                {
                    "month": months.astype("datetime64[M]").astype("datetime64[D]"),
                    "channel": channel,
                    "spend_eur": np.round(spend[:, c], 2),
                    "clicks": clicks,
                    "impressions": clicks * rng.integers(20, 60, MONTHS),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
