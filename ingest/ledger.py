"""The investment ledger as the business exports it: initiatives (what was invested, in which
scope, from when, at what monthly cost) and candidate actions (cost, duration, complexity), in
the layout of the dbt seeds `initiatives.csv` and `actions.csv`. Files land in
`$ROX_LANDING_DIR/ledger/`; the newest loaded file of each is the ledger (staging), and without
one the seeds are (`int_initiatives`, `int_actions`).
"""

from __future__ import annotations

from ingest.csv_loader import CsvColumn as C
from ingest.csv_loader import CsvSource

ISO_DATE = "%Y-%m-%d"

LEDGER_INITIATIVES = CsvSource(
    name="ledger_initiatives",
    folder="ledger",
    pattern="initiatives*.csv",
    description="Investment ledger export: one row per CX or EX initiative.",
    date_format=ISO_DATE,
    key=("initiative_id",),
    columns=(
        C("initiative_id", "initiative_id", required=True),
        C("initiative_name", "initiative_name", required=True),
        C("scope_type", "scope_type", required=True),
        C("scope_id", "scope_id", required=True),
        C("investment_kind", "investment_kind", required=True),
        C("investment_category", "investment_category"),
        C("cost_per_month_eur", "cost_per_month_eur", "DECIMAL(18,2)", required=True),
        C("start_month", "start_month", "DATE", required=True),
    ),
)

LEDGER_ACTIONS = CsvSource(
    name="ledger_actions",
    folder="ledger",
    pattern="actions*.csv",
    description="Candidate CX actions export: cost, duration and complexity of each.",
    key=("action_id",),
    columns=(
        C("action_id", "action_id", required=True),
        C("action", "action", required=True),
        C("touchpoint_id", "touchpoint_id", required=True),
        C("area", "area", required=True),
        C("estimated_cost_eur", "estimated_cost_eur", "DECIMAL(18,2)", required=True),
        C("duration_months", "duration_months", "BIGINT", required=True),
        C("complexity_1_5", "complexity_1_5", "BIGINT", required=True),
    ),
)

LEDGER_SOURCES: tuple[CsvSource, ...] = (LEDGER_INITIATIVES, LEDGER_ACTIONS)
