{#
  The date window of an incremental run, from `--vars '{min_date: YYYY-MM-DD, max_date: ...}'`
  (Dagster passes a partition's window this way). Validated, so a var never becomes SQL.
#}
{% macro date_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a date YYYY-MM-DD, got " ~ value) }}
    {%- endif -%}
    {{ return(value | string) }}
{%- endmacro %}

{#
  The filter an incremental model applies to `date_column` of its input: the vars' window when
  given, else the last `lookback_days` before the newest `target_column` already built
  (late-arriving rows are re-read).
#}
{% macro incremental_window(date_column, target_column, lookback_days=3) -%}
    {%- set min_date = date_var('min_date') -%}
    {%- set max_date = date_var('max_date') -%}
    {%- if min_date and max_date -%}
        {{ date_column }} between cast('{{ min_date }}' as date) and cast('{{ max_date }}' as date)
    {%- else -%}
        {{ date_column }} >= (
            select cast({{ dbt.dateadd('day', -lookback_days, 'max(built.' ~ target_column ~ ')') }}
                as date)
            from {{ this }} as built
        )
    {%- endif -%}
{%- endmacro %}
