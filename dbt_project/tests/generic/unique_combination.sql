{#
  Fails for each combination of `columns` that occurs more than once. Grouping treats nulls as
  equal, so two rows with the same key and a null part are duplicates (a concatenated key would
  be null and pass).
#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
