{#
  The rows a data test reads (dbt's `where` config), with the partition window of a daily run.
  A daily fact's tests say `where: "order_date between __min_date__ and __max_date__"`: a run
  with a window (`--vars '{min_date: ..., max_date: ...}'`, or ROX_DBT_MIN_DATE /
  ROX_DBT_MAX_DATE as every Dagster run of the daily facts passes it; a backfill's whole
  range; see date_var) tests the dates it rebuilt, not the whole table again; a run without
  them (a plain `dbt build`) tests every row. The window is read at run time, so they do not
  change dbt's parse. Overrides dbt's get_where_subquery; any other `where` works as in dbt.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__min_date__' in where -%}
        {%- set min_date = date_var('min_date') -%}
        {%- set max_date = date_var('max_date') -%}
        {%- if min_date and max_date -%}
            {%- set where = where
                | replace('__min_date__', "cast('" ~ min_date ~ "' as date)")
                | replace('__max_date__', "cast('" ~ max_date ~ "' as date)") -%}
        {%- else -%}
            {%- set where = none -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
