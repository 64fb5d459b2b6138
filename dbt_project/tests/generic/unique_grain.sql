{#
  The grain: no two rows share the same values of `columns`, nulls included (two rows whose
  grain columns are null in the same places count as duplicates, which `unique` on a
  concatenation would miss). Fails with one row per duplicated grain and how often it occurs.
#}
{% test unique_grain(model, columns) %}
select
    {% for column in columns %}{{ column }},
    {% endfor %}count(*) as occurrences
from {{ model }}
group by {% for column in columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1
{% endtest %}
