"""The demo company's voice of the customer and of its employees, following the planted truth.

- Relationship NPS: a sample of customers answers once; the score follows their experience index
  (loyalty weights, delivery strongest), so key-driver analysis can recover the drivers.
- Transactional CSAT and CES after a touchpoint: the score follows that touchpoint's quality;
  after a delivery it also follows whether that order was late, so the effective initiative shows
  up as better delivery scores from its start month and the placebo shows nothing.
- Employee pulse surveys: eNPS by team; the team owning the pain touchpoint is the least engaged.
  The effective soft initiative (training of the support team) raises that team's engagement
  from its start; support answers follow EX_TO_CX_LAG_MONTHS later (`planted_soft_effects`).
- Reviews (Trustpilot-shaped API, Google Play, App Store): stars follow delivery and product
  experience of the reviewed order; texts name the themes behind them.

Everything is vectorised with numpy; only text assembly touches each row.
"""

from __future__ import annotations

from math import erf, sqrt

import numpy as np
import pandas as pd

from demo import company as co

TEAM_OF_TOUCHPOINT = {
    "website": "digital",
    "checkout": "digital",
    "delivery": "logistics",
    "product": "merchandising",
    "support": "customer_care",
}
TEAMS = np.array(["digital", "logistics", "merchandising", "customer_care"])
TEAM_SIZE_PER_1000_CUSTOMERS = np.array([3.0, 8.0, 3.0, 6.0])
# Employee engagement by team on a latent scale: customer care (the pain point) is lowest.
TEAM_ENGAGEMENT = np.array([0.6, 0.2, 0.5, -0.6])

# Short phrases per touchpoint, negative and positive, in English and German.
PHRASES = {
    "website": (
        ["Hard to find what I need on the website.", "The site was slow and confusing."],
        ["The website is easy to use.", "Great website, found everything quickly."],
        ["Die Website ist unübersichtlich.", "Die Seite ist leicht zu bedienen."],
    ),
    "checkout": (
        ["Payment failed twice at checkout.", "Checkout asked for the same data again."],
        ["Checkout was quick and simple.", "Paying was easy."],
        ["Die Zahlung hat nicht funktioniert.", "Der Bestellvorgang war schnell."],
    ),
    "delivery": (
        ["My order arrived days late.", "Delivery was late and nobody told me."],
        ["Delivery was fast and on time.", "Arrived a day early, well packed."],
        ["Die Lieferung kam viel zu spät.", "Lieferung war schnell, danke!"],
    ),
    "product": (
        ["The item broke after a week.", "Quality is poor for the price."],
        ["The quality is excellent.", "Love the product, exactly as described."],
        ["Die Qualität ist schlecht.", "Tolles Produkt, sehr gute Qualität."],
    ),
    "support": (
        ["Support took forever to reply.", "I waited days for an answer from customer service."],
        ["Support solved my problem right away.", "Friendly and helpful customer service."],
        ["Der Kundenservice antwortet nicht.", "Der Kundenservice war sehr hilfreich."],
    ),
}
GERMAN_SHARE = 0.08


def _phrase(rng: np.random.Generator, touchpoints: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """One phrase per row for its touchpoint and sign; a few rows in German."""
    german = rng.random(len(touchpoints)) < GERMAN_SHARE
    pick = rng.integers(0, 2, len(touchpoints))
    out = np.empty(len(touchpoints), dtype=object)
    for touchpoint, (negative, positive_phrases, german_phrases) in PHRASES.items():
        rows = touchpoints == touchpoint
        out[rows & positive] = np.array(positive_phrases, dtype=object)[pick[rows & positive]]
        out[rows & ~positive] = np.array(negative, dtype=object)[pick[rows & ~positive]]
        out[rows & german] = np.where(positive[rows & german], german_phrases[1], german_phrases[0])
    return out


def _bounded(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.round(values), low, high).astype(np.int64)


def relationship_nps(rng: np.random.Generator, company: co.DemoCompany) -> pd.DataFrame:
    """One relationship-NPS answer from about a third of customers, after their first order."""
    customers = company.customers
    sample = customers[rng.random(len(customers)) < 0.35]
    n = len(sample)
    # An answer due after the data ends has not been given yet: it is left out, not moved to
    # the last day (clamping piled 14,159 answers onto 2026-10-31 at 200,000 customers).
    answered = sample["acquired_day"].to_numpy() + rng.integers(20, 200, n)
    score = _bounded(7.0 + 2.2 * sample["experience_z"].to_numpy() + rng.normal(0, 1.2, n), 0, 10)
    quality = sample[[f"quality_{t}" for t in co.TOUCHPOINTS]].to_numpy()
    # The verbatim talks about the customer's weakest (detractors) or best (promoters) touchpoint.
    worst = co.TOUCHPOINTS[np.argmin(quality * co.LOYALTY_WEIGHTS, axis=1)]
    best = co.TOUCHPOINTS[np.argmax(quality * co.LOYALTY_WEIGHTS, axis=1)]
    positive = score >= 8
    about = np.where(positive, best, worst)
    frame = pd.DataFrame(
        {
            "customer_idx": sample["customer_idx"].to_numpy(),
            "day": answered,
            "second": rng.integers(8 * 3600, 22 * 3600, n),
            "nps": score,
            "verbatim": np.where(rng.random(n) < 0.6, _phrase(rng, about, positive), ""),
            "finished": rng.random(n) > 0.03,
            "segment": sample["segment"].to_numpy(),
            "job": sample["job"].to_numpy(),
        }
    )
    frame = frame[frame["day"] < company.days]
    return frame.sort_values(["day", "second"], kind="stable").reset_index(drop=True)


def touchpoint_surveys(rng: np.random.Generator, company: co.DemoCompany) -> pd.DataFrame:
    """CSAT (1-5) and CES (1-7) after an order's touchpoints and after support tickets."""
    customers, orders = company.customers, company.orders
    live = orders[(orders["status"] == "Activated") & (orders["delivered_day"] >= 0)]
    picked = live[rng.random(len(live)) < 0.25]
    n = len(picked)
    order_touchpoints = np.array(["website", "checkout", "delivery", "product"])
    touchpoint = order_touchpoints[rng.choice(4, size=n, p=[0.15, 0.2, 0.4, 0.25])]
    cust = picked["customer_idx"].to_numpy()
    quality = np.zeros(n)
    for t in order_touchpoints:
        rows = touchpoint == t
        quality[rows] = customers[f"quality_{t}"].to_numpy()[cust[rows]]
    late = picked["late"].to_numpy()
    # A late delivery hurts the delivery score far more than the customer's usual experience.
    quality = np.where(touchpoint == "delivery", 0.4 * quality + 1.2 - 2.6 * late, quality)
    day = np.where(
        touchpoint == "delivery",
        picked["delivered_day"].to_numpy() + 1,
        np.where(
            touchpoint == "product",
            picked["delivered_day"].to_numpy() + 14,
            picked["day"].to_numpy(),
        ),
    )
    orders_part = pd.DataFrame(
        {
            "customer_idx": cust,
            "order_idx": picked["order_idx"].to_numpy(),
            "touchpoint": touchpoint,
            "day": day,
            "quality": quality,
        }
    )
    tickets = company.tickets
    solved = tickets[(tickets["resolution_minutes"] >= 0) & (rng.random(len(tickets)) < 0.4)]
    q_support = customers["quality_support"].to_numpy()[solved["customer_idx"].to_numpy()]
    support_part = pd.DataFrame(
        {
            "customer_idx": solved["customer_idx"].to_numpy(),
            "order_idx": solved["order_idx"].to_numpy(),
            "touchpoint": "support",
            "day": (
                solved["created_second"].to_numpy() + solved["resolution_minutes"].to_numpy() * 60
            )
            // 86400
            + 1,
            "quality": q_support - 0.2 * np.log1p(solved["first_reply_minutes"].to_numpy() / 240),
        }
    )
    frame = pd.concat([orders_part, support_part], ignore_index=True)
    frame = frame[frame["day"] < company.days].reset_index(drop=True)
    frame["quality"] += support_lift(frame["touchpoint"].to_numpy(), frame["day"].to_numpy())
    n = len(frame)
    q = frame["quality"].to_numpy()
    frame["csat"] = _bounded(3.4 + 1.0 * q + rng.normal(0, 0.7, n), 1, 5)
    frame["ces"] = _bounded(5.0 + 1.1 * q + rng.normal(0, 0.9, n), 1, 7)
    frame["second"] = rng.integers(8 * 3600, 22 * 3600, n)
    positive = frame["csat"].to_numpy() >= 4
    frame["verbatim"] = np.where(
        rng.random(n) < 0.35, _phrase(rng, frame["touchpoint"].to_numpy(), positive), ""
    )
    frame["channel"] = np.where(
        frame["touchpoint"] == "support",
        "support",
        np.where(frame["touchpoint"].isin(["website", "checkout"]), "web", "email"),
    )
    return frame.sort_values(["day", "second"], kind="stable").reset_index(drop=True)


SOFT_TEAM = TEAM_OF_TOUCHPOINT["support"]


def _month_index(day: np.ndarray) -> np.ndarray:
    months = (co.START_DATE + np.asarray(day).astype("timedelta64[D]")).astype("datetime64[M]")
    return (months - co.START_DATE.astype("datetime64[M]")).astype(int)


def support_lift(touchpoint: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Support quality gained from the trained team's engagement, EX_TO_CX_LAG_MONTHS after
    the soft initiative's start (0 elsewhere)."""
    live = _month_index(day) >= co.soft_start_month(True) + co.EX_TO_CX_LAG_MONTHS
    gain = co.EX_TO_SUPPORT_QUALITY * co.SOFT_ENGAGEMENT_LIFT
    return np.where((touchpoint == "support") & live, gain, 0.0)


def _expected_bounded(mean: np.ndarray, sd: float, low: int, high: int) -> np.ndarray:
    """E[clip(round(N(mean, sd)), low, high)]: low + sum over k of P(X >= k + 0.5)."""
    cdf = np.vectorize(lambda x: 0.5 * (1 + erf(x / sqrt(2))))
    steps = np.arange(low, high) + 0.5
    return low + (1 - cdf((steps[None, :] - np.asarray(mean)[:, None]) / sd)).sum(axis=1)


def planted_soft_effects(company: co.DemoCompany) -> dict:
    """The effective soft initiative's planted effects, in the warehouse's 0-100 units:

    - on EX: the expected change of an answer's EX score (promoter 100, passive 50,
      detractor 0, so the mean is (eNPS + 100) / 2) of the support team;
    - on CX: the expected change of a support CSAT or CES answer's 0-100 score, over the
      support answers the lift reaches (solved tickets from the start + lag).
    Exact expectations over the answer noise (normal, rounded and clipped), not one draw.
    """
    team = TEAM_ENGAGEMENT[list(TEAMS).index(SOFT_TEAM)]
    sd = float(np.sqrt(4.0 * 0.8**2 + 1.0))  # employee engagement (0.8) and answer noise (1)
    base = 6.8 + 2.0 * team
    lifted = base + 2.0 * co.SOFT_ENGAGEMENT_LIFT

    def ex_0_100(mean: float) -> float:
        # 50 x (P(score >= 7) + P(score >= 9)); clipping at 0 and 10 does not change it.
        above = [0.5 * (1 - erf((cut - mean) / sd / sqrt(2))) for cut in (6.5, 8.5)]
        return 50.0 * sum(above)

    tickets = company.tickets[company.tickets["resolution_minutes"] >= 0]
    day = (tickets["created_second"] + tickets["resolution_minutes"] * 60) // 86400 + 1
    live = (_month_index(day.to_numpy()) >= co.soft_start_month(True) + co.EX_TO_CX_LAG_MONTHS) & (
        day.to_numpy() < company.days
    )
    q = company.customers["quality_support"].to_numpy()[tickets["customer_idx"].to_numpy()[live]]
    q = q - 0.2 * np.log1p(tickets["first_reply_minutes"].to_numpy()[live] / 240)
    gain = co.EX_TO_SUPPORT_QUALITY * co.SOFT_ENGAGEMENT_LIFT
    csat = _expected_bounded(3.4 + q + gain, 0.7, 1, 5) - _expected_bounded(3.4 + q, 0.7, 1, 5)
    ces = _expected_bounded(5.0 + 1.1 * (q + gain), 0.9, 1, 7) - _expected_bounded(
        5.0 + 1.1 * q, 0.9, 1, 7
    )
    return {
        "soft_ex_effect_0_100": ex_0_100(lifted) - ex_0_100(base),
        "soft_support_answer_effect_0_100": float(
            (np.mean(csat) * 25.0 + np.mean(ces) * 100.0 / 6.0) / 2.0
        ),
    }


def employee_pulse(rng: np.random.Generator, company: co.DemoCompany) -> pd.DataFrame:
    """Monthly eNPS pulse answers by employee; engagement differs by team."""
    n_customers = len(company.customers)
    sizes = np.maximum(2, np.round(TEAM_SIZE_PER_1000_CUSTOMERS * n_customers / 1000)).astype(int)
    team_idx = np.repeat(np.arange(len(TEAMS)), sizes)
    employee_engagement = TEAM_ENGAGEMENT[team_idx] + rng.normal(0, 0.8, len(team_idx))
    months = np.arange(co.MONTHS)
    employee, month = np.meshgrid(np.arange(len(team_idx)), months, indexing="ij")
    employee, month = employee.ravel(), month.ravel()
    answers = rng.random(len(employee)) < 0.55
    employee, month = employee[answers], month[answers]
    month_start = (co.START_DATE.astype("datetime64[M]") + month).astype("datetime64[D]")
    day = (month_start - co.START_DATE).astype(int) + rng.integers(2, 20, len(month))
    n = len(employee)
    # The effective soft initiative: the support team's engagement rises from its start.
    trained = (TEAMS[team_idx[employee]] == SOFT_TEAM) & (month >= co.soft_start_month(True))
    engagement = employee_engagement[employee] + co.SOFT_ENGAGEMENT_LIFT * trained
    enps = _bounded(6.8 + 2.0 * engagement + rng.normal(0, 1.0, n), 0, 10)
    return (
        pd.DataFrame(
            {
                "employee_idx": employee,
                "team": TEAMS[team_idx[employee]],
                "day": day,
                "second": rng.integers(8 * 3600, 18 * 3600, n),
                "enps": enps,
                "verbatim": np.where(
                    rng.random(n) < 0.3,
                    _employee_phrase(TEAMS[team_idx[employee]], employee, enps >= 8),
                    "",
                ),
            }
        )
        .sort_values(["day", "second"], kind="stable")
        .reset_index(drop=True)
    )


# What the frontline writes in the pulse: each team about the work behind its touchpoints
# (two phrases each, picked by employee so no random draw changes), the same for everyone when
# they are happy.
EMPLOYEE_PHRASES = {
    "digital": (
        "The release tooling keeps breaking and we fix the same bugs twice.",
        "Too much pressure before every launch, too few people.",
    ),
    "logistics": (
        "Carrier pickups are late and we take the angry calls about late parcels.",
        "Too much overtime in the warehouse, too few people.",
    ),
    "merchandising": (
        "Supplier quality problems reach us only after the returns.",
        "Too much pressure, too few people.",
    ),
    "customer_care": (
        "Too many tickets and too few people, customers wait days for a reply.",
        "Our ticket system and tools keep failing during calls.",
    ),
}
EMPLOYEE_POSITIVE = ("Great team, I feel supported.", "My manager listens and colleagues help.")


def _employee_phrase(teams: np.ndarray, employee: np.ndarray, positive: np.ndarray) -> np.ndarray:
    pick = employee % 2
    negative = np.array([EMPLOYEE_PHRASES[t][p] for t, p in zip(teams, pick, strict=True)])
    return np.where(positive, np.array(EMPLOYEE_POSITIVE)[pick], negative)


def reviews(rng: np.random.Generator, company: co.DemoCompany) -> pd.DataFrame:
    """Public reviews of delivered orders: stars follow delivery and product experience."""
    customers, orders = company.customers, company.orders
    delivered = orders[(orders["status"] == "Activated") & (orders["delivered_day"] >= 0)]
    # Unhappy customers are more vocal: late orders get reviewed more often.
    chance = np.where(delivered["late"].to_numpy(), 0.12, 0.05)
    picked = delivered[rng.random(len(delivered)) < chance]
    picked = picked.drop_duplicates("customer_idx", keep="first")
    n = len(picked)
    cust = picked["customer_idx"].to_numpy()
    late = picked["late"].to_numpy()
    q_product = customers["quality_product"].to_numpy()[cust]
    q_support = customers["quality_support"].to_numpy()[cust]
    signal = 0.5 * q_product + 0.2 * q_support - 1.8 * late + rng.normal(0, 0.7, n)
    stars = _bounded(3.6 + 1.1 * signal, 1, 5)
    theme = np.where(late, "delivery", np.where(q_support < -1.5, "support", "product"))
    positive = stars >= 4
    text = _phrase(rng, theme, positive)
    # Reviews and edits due after the data ends are not written yet (no pile-up on the last day).
    created = picked["delivered_day"].to_numpy() + rng.integers(1, 10, n)
    edit_day = created + rng.integers(3, 30, n)
    edited = (rng.random(n) < 0.05) & (edit_day < company.days)
    updated = np.where(edited, edit_day, created)
    return (
        pd.DataFrame(
            {
                "customer_idx": cust,
                "order_idx": picked["order_idx"].to_numpy(),
                "stars": stars,
                "title": np.where(positive, "Happy customer", "Disappointed"),
                "text": text,
                "language": np.where(
                    pd.Series(text).str.contains("[äöüß]|Die |Der ", regex=True), "de", "en"
                ),
                "theme": theme,
                "created_day": created,
                "updated_day": updated,
                "second": rng.integers(8 * 3600, 23 * 3600, n),
                "is_edited": edited,
            }
        )
        .query(f"created_day < {company.days}")
        .sort_values(["created_day", "second"], kind="stable")
        .reset_index(drop=True)
    )


def app_reviews(rng: np.random.Generator, company: co.DemoCompany) -> pd.DataFrame:
    """App-store reviews of the shopping app: the website and checkout experience."""
    customers = company.customers
    sample = customers[rng.random(len(customers)) < 0.06]
    n = len(sample)
    quality = (
        0.5 * sample["quality_website"].to_numpy() + 0.5 * sample["quality_checkout"].to_numpy()
    )
    stars = _bounded(3.3 + 1.2 * quality + rng.normal(0, 0.8, n), 1, 5)
    theme = np.where(rng.random(n) < 0.5, "website", "checkout")
    created = sample["acquired_day"].to_numpy() + rng.integers(1, 60, n)
    return (
        pd.DataFrame(
            {
                "customer_idx": sample["customer_idx"].to_numpy(),
                "platform": np.where(rng.random(n) < 0.55, "google_play", "app_store"),
                "stars": stars,
                "title": np.where(stars >= 4, "Works well", "Needs work"),
                "text": _phrase(rng, theme, stars >= 4),
                "created_day": created,
                "second": rng.integers(8 * 3600, 23 * 3600, n),
                "app_version": np.where(created < 365, "3.2.0", "4.0.1"),
            }
        )
        .query(f"created_day < {company.days}")
        .sort_values(["created_day", "second"], kind="stable")
        .reset_index(drop=True)
    )
