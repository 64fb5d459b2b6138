"""Print what the warehouse holds: tables and row counts, headline KPIs, where to look next.

python -m demo.summary
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from common.settings import warehouse_path
from report import report_path

LAYERS = ("raw", "staging", "intermediate", "marts")


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table and view of the warehouse layers."""
    tables = con.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_schema in (select unnest(?::varchar[]))
        """,
        [list(LAYERS)],
    ).fetchall()
    order = {layer: i for i, layer in enumerate(LAYERS)}
    tables.sort(key=lambda t: (order[t[0]], t[1]))
    return [
        (schema, name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0])
        for schema, name in tables
        if name != "pseudonym_salt"
    ]


def headline_kpis(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The latest month of marts.business_kpis, or None before the marts exist."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'business_kpis'"
    ).fetchall()[0][0]
    if not exists:
        return None
    frame = con.execute("select * from marts.business_kpis order by month_start desc limit 1").df()
    return frame.iloc[0].to_dict() if len(frame) else None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object | None:
    """The first value of a query, or None when its table does not exist yet."""
    try:
        rows = con.execute(sql).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def cx_headlines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the CX marts say, one line each, for the marts that exist."""
    lines = []
    nps = _scalar(
        con,
        "select metric_value from marts.survey_metrics_monthly where metric = 'nps' "
        "and scope_type = 'company' and survey_kind = 'customer' order by month_start desc",
    )
    if nps is not None:
        lines.append(f"  NPS, latest month       {nps:+.1f}")
    driver = _scalar(
        con,
        "select driver || ' (' || round(importance_pct)::int || '% of what drives "
        "recommendation)' from marts.driver_importance "
        "where outcome = 'likelihood_to_recommend' order by importance_rank",
    )
    if driver:
        lines.append(f"  strongest driver        {driver}")
    pain = _scalar(
        con,
        "select touchpoint_id from marts.journey_heatmap where segment = 'all' "
        "group by touchpoint_id order by sum(case when heat_label = 'pain' then volume end) "
        "/ sum(volume) desc nulls last",
    )
    if pain:
        lines.append(f"  biggest pain point      {pain}")
    lever = _scalar(
        con, "select lever from marts.opportunity_map where scope_type = 'job' order by rank"
    )
    if lever:
        lines.append(f"  top opportunity         {lever}")
    at_risk = _scalar(con, "select sum(revenue_at_risk_eur) from marts.clv_by_segment")
    if at_risk is not None:
        lines.append(f"  revenue at risk         {_fmt(at_risk, 'eur')} (last 12 months)")
    return lines


def rox_headlines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The portfolio's ROX, ROX per initiative and OKR status per objective, for the marts
    that exist."""
    lines = []
    for kind, rox, low, high, invested in _rows(
        con,
        "select investment_kind, rox, rox_ci_low, rox_ci_high, investment_to_date_eur "
        "from marts.rox_portfolio order by investment_kind = 'all' desc, investment_kind",
    ):
        if rox is None or rox != rox:
            lines.append(f"  ROX portfolio ({kind}): no measured investment")
            continue
        lines.append(
            f"  ROX portfolio ({kind}): {rox:+.2f} (95% interval {low:+.2f} to {high:+.2f}) "
            f"on {_fmt(invested, 'eur')} invested"
        )
    for row in _rows(
        con,
        "select initiative_id, initiative_name, channel, rox, rox_ci_low, rox_ci_high, "
        "investment_to_date_eur from marts.rox_by_initiative order by initiative_id",
    ):
        initiative, name, channel, rox, low, high, invested = row
        name = f"{name} [{channel}]"
        if rox is None or rox != rox:
            lines.append(f"  {initiative} {name}: not measurable yet")
            continue
        lines.append(
            f"  {initiative} {name}: ROX {rox:+.2f} (95% interval {low:+.2f} to {high:+.2f}) "
            f"on {_fmt(invested, 'eur')} invested"
        )
    for objective, statement, status, score in _rows(
        con,
        "select objective_id, objective, status, score from marts.okr_objective_progress "
        "qualify row_number() over (partition by objective_id order by period_start desc) = 1 "
        "order by objective_id",
    ):
        grade = "n/a" if score is None or score != score else f"{score:.1f}"
        lines.append(f"  OKR {objective}: {status} (grade {grade}) - {statement}")
    return lines


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException:  # the mart is not built yet
        return []


def _fmt(value: object, kind: str) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    if kind == "eur":
        return f"EUR {float(value):,.2f}"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    return f"{int(value):,}"


def render(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        counts = table_counts(con)
        kpis = headline_kpis(con)
        headlines = cx_headlines(con)
        returns = rox_headlines(con)
        rejected = next((n for s, t, n in counts if (s, t) == ("raw", "rejected_rows")), 0)
    lines = ["", "ROX Warehouse: demo build complete", "", "Tables (rows):"]
    for schema, name, rows in counts:
        lines.append(f"  {schema + '.' + name:<42} {rows:>12,}")
    if kpis:
        month = kpis["month_start"]
        lines += [
            "",
            f"Headline KPIs, {month:%B %Y}:",
            f"  customers              {_fmt(kpis['customers'], 'int')}",
            f"  active customers       {_fmt(kpis['active_customers'], 'int')}",
            f"  new customers          {_fmt(kpis['new_customers'], 'int')}",
            f"  revenue                {_fmt(kpis['revenue_eur'], 'eur')}",
            f"  margin                 {_fmt(kpis['margin_eur'], 'eur')}",
            f"  CAC                    {_fmt(kpis['cac_eur'], 'eur')}",
            f"  cost to serve          {_fmt(kpis['cost_to_serve_eur'], 'eur')} / active customer",
            f"  churn rate             {_fmt(kpis['churn_rate'], 'pct')}",
            f"  repeat-purchase rate   {_fmt(kpis['repeat_purchase_rate'], 'pct')}",
            f"  return rate            {_fmt(kpis['return_rate'], 'pct')}",
        ]
    if headlines:
        lines += ["", "Customer experience:", *headlines]
    if returns:
        lines += ["", "Return on experience and OKRs:", *returns]
    lines += [
        "",
        f"Rejected rows: {rejected:,} (details in raw.rejected_rows)",
        f"Warehouse (DuckDB): {path}",
        *([f"Report: {report_path(path)}"] if report_path(path).exists() else []),
        "Open the asset graph and lineage: make ui, then http://127.0.0.1:3000",
        f"Query it: duckdb.connect('{path}', read_only=True).sql('from marts.business_kpis')",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    path = warehouse_path()
    if not path.exists():
        raise SystemExit(f"no warehouse at {path}: run `make demo` first")
    print(render(path))


if __name__ == "__main__":
    main()
