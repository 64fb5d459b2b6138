{#
  A salted SHA-256 of a value, as a hex string: the same key on every engine.
  The salt is a column (from raw.pseudonym_salt), never a literal, so it stays out of SQL and logs.
#}
{% macro pseudonymise(value, salt) -%}
    {{ return(adapter.dispatch('pseudonymise', 'rox')(value, salt)) }}
{%- endmacro %}

{% macro default__pseudonymise(value, salt) -%}
    sha2(concat({{ salt }}, {{ value }}), 256)
{%- endmacro %}

{% macro duckdb__pseudonymise(value, salt) -%}
    sha256(concat({{ salt }}, {{ value }}))
{%- endmacro %}

{# Emails are compared case- and space-insensitively before hashing. #}
{% macro email_key(email, salt) -%}
    {{ pseudonymise('lower(trim(' ~ email ~ '))', salt) }}
{%- endmacro %}
