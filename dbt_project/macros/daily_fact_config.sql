{#
  The configuration of a daily fact (one row per date and key, tag `daily`): incremental by
  its date column, which Dagster's daily partitions drive through min_date / max_date (date_window.sql).
  DuckDB deletes and re-inserts the window's dates; Spark overwrites the window's date
  partitions (insert_overwrite; the date column must be the last column), so both engines give
  the same table. Use: {{ config(**daily_fact_config('order_date')) }}
#}
{% macro daily_fact_config(date_column) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite' if target.type == 'spark' else 'delete+insert',
        'unique_key': none if target.type == 'spark' else date_column,
        'partition_by': [date_column] if target.type == 'spark' else none,
        'file_format': 'parquet' if target.type == 'spark' else none,
        'on_schema_change': 'fail',
        'tags': ['daily'],
    }) }}
{%- endmacro %}
