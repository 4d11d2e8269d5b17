{#
  Runs a model that is a whole SQL script, as `precept sql` writes it: it creates the calendar
  table precept_calendar and the view precept_findings in the target schema, reading the schemas'
  tables there. What an earlier run created is dropped first, so `dbt run` can be repeated after
  the policies change. The view is what the model stands for: `ref('precept_findings')` reads it.
#}
{% materialization precept_script, adapter='postgres' %}
  {%- set target_relation = api.Relation.create(
        identifier='precept_findings', schema=schema, database=database, type='view') -%}
  {%- set calendar = api.Relation.create(
        identifier='precept_calendar', schema=schema, database=database, type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {% call statement('drop_previous') -%}
    DROP VIEW IF EXISTS {{ target_relation }};
    DROP TABLE IF EXISTS {{ calendar }};
  {%- endcall %}
  {% call statement('main') -%}
    SET search_path TO {{ schema }};
    {{ sql }}
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
