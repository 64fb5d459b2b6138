{#
  The text of one top-level key of a JSON object held as text, the key a column (the embedded
  field the survey mapping names): null when the key is missing or the key column is null.
  DuckDB takes a JSON pointer built from the key (so any character in a key is data, not path
  syntax); Spark reads the object as a map. Text that is not JSON gives null on both (the
  readers write valid JSON; a broken row must not break the view for every other row).
#}
{% macro json_text(json_text_column, key_column) -%}
    {{ return(adapter.dispatch('json_text', 'rox')(json_text_column, key_column)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_text_column, key_column) -%}
    case when json_valid({{ json_text_column }}) then json_extract_string(
        {{ json_text_column }},
        concat('/', replace(replace({{ key_column }}, '~', '~0'), '/', '~1'))
    ) end
{%- endmacro %}

{% macro spark__json_text(json_text_column, key_column) -%}
    from_json({{ json_text_column }}, 'map<string,string>')[{{ key_column }}]
{%- endmacro %}
