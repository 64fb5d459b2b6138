"""The Great Expectations suite on the raw ledger tables: ids present and unique within each
export, costs and durations not negative, complexity on its 1-5 scale."""

from __future__ import annotations

from expectations.spec import Expect, at_least, between, in_set, not_null, unique_within_file

SUITE_NAME = "raw_ledger"

RAW_LEDGER_SUITE: dict[str, list[Expect]] = {
    "ledger_initiatives": [
        not_null("initiative_id"),
        unique_within_file("initiative_id"),
        in_set("investment_kind", ["soft", "hard"]),
        not_null("cost_per_month_eur"),
        at_least("cost_per_month_eur", 0),
        not_null("start_month"),  # a planned initiative may start in a future month
    ],
    "ledger_actions": [
        not_null("action_id"),
        unique_within_file("action_id"),
        at_least("estimated_cost_eur", 0),
        at_least("duration_months", 1),
        between("complexity_1_5", 1, 5),
    ],
}
