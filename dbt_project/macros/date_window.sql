{#
  The date window of an incremental run: `--vars '{min_date: YYYY-MM-DD, max_date: ...}'` on the
  command line, else the environment (ROX_DBT_MIN_DATE, ROX_DBT_MAX_DATE), which is how Dagster
  passes a partition's window: vars would change dbt's parse state and make every partitioned
  step re-parse the project. Read at run time only (inside is_incremental()), so the
  environment never enters the parse either. Validated, so a value never becomes SQL.
#}
{% macro date_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none -%}
        {%- set value = env_var('ROX_DBT_' ~ (name | upper), '') or none -%}
    {%- endif -%}
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
