{#
  Fails for rows where the date or timestamp column is before `earliest` or more than a day in
  the future (nulls pass): a plausible business date. The upper bound is the build's clock plus
  one day of slack, computed here so the SQL is the same on every engine.
#}
{% test valid_date(model, column_name, earliest='2000-01-01') %}
{%- set latest = (modules.datetime.datetime.utcnow() + modules.datetime.timedelta(days=1)).strftime('%Y-%m-%d %H:%M:%S') -%}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and (
    cast({{ column_name }} as timestamp) < cast('{{ earliest }} 00:00:00' as timestamp)
    or cast({{ column_name }} as timestamp) > cast('{{ latest }}' as timestamp)
  )
{% endtest %}
