"""The scopes that exist in the warehouse (dbt: int_known_scopes), which the OKR and ROX marts
validate their configuration against."""

from orchestration.shared.warehouse_reads import read_relation

KNOWN_SCOPES = "intermediate.int_known_scopes"
SCOPE_TYPES = (
    "value_stream",
    "job",
    "touchpoint",
    "segment",
    "team",
    "territory",
    "business_unit",
    "channel",
)


def known_scope_ids(con) -> dict[str, set[str]]:
    """The ids of each scope type that exist: configuration seeds and observed segments, teams."""
    rows = read_relation(
        con, KNOWN_SCOPES, ["scope_type", "scope_id"], order_by=["scope_type", "scope_id"]
    )
    known: dict[str, set[str]] = {s: set() for s in SCOPE_TYPES}
    for scope_type, scope_id in zip(rows["scope_type"], rows["scope_id"], strict=True):
        known[scope_type].add(scope_id)
    return known
