"""The scopes that exist in the warehouse, which the OKR and ROX marts validate against."""

KNOWN_SCOPES_SQL = {
    "value_stream": "select value_stream_id from config.value_streams",
    "job": "select job_id from config.jobs",
    "touchpoint": "select touchpoint_id from config.touchpoints",
    "segment": "select distinct segment from intermediate.int_customers where segment is not null",
    "team": (
        "select owning_team from config.touchpoints union "
        "select distinct team from marts.fct_metric_observations where team is not null"
    ),
}


def known_scope_ids(con) -> dict[str, set[str]]:
    """The ids of each scope type that exist: configuration seeds and observed segments, teams."""
    return {
        scope: {row[0] for row in con.execute(sql).fetchall()}
        for scope, sql in KNOWN_SCOPES_SQL.items()
    }
