{#
  dbt's safe_cast is a plain cast on DuckDB and Spark, which fails on bad input. Both engines
  have try_cast (null on bad input): make dbt.safe_cast mean what it says on both.
#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
