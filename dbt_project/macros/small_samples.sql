{#- Small samples (docs/metrics.md): the least n a published value needs. Below it the value is
    null, is_suppressed is true and n stays. One place for the rule, read by every mart that
    publishes a score per scope. -#}

{% macro survey_metrics() -%}
('nps', 'csat', 'ces', 'enps')
{%- endmacro %}

{#- The floor for a metric named by `metric_column` (answers for the survey metrics,
    observations for any other). -#}
{% macro min_n_for_metric(metric_column) -%}
case
    when {{ metric_column }} in {{ survey_metrics() }} then {{ var('min_answers_survey_metric') }}
    else {{ var('min_observations_metric') }}
end
{%- endmacro %}

{#- `value` when `n` reaches `min_n`, else null. -#}
{% macro unless_suppressed(value, n, min_n) -%}
case when {{ n }} >= {{ min_n }} then {{ value }} end
{%- endmacro %}
