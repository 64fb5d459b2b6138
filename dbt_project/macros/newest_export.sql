{#
  The rows of the newest loaded file of a raw table whose every export is the whole of it (a
  ledger): a row left out of the newest file is gone, not kept from an older one. Ties on the
  load time go to the larger file hash, so the choice never depends on row order.
#}
{% macro newest_export(relation) %}
    select source.*
    from {{ relation }} as source
    inner join (
        select _file_sha256
        from {{ relation }}
        group by _file_sha256
        order by max(_loaded_at) desc, _file_sha256 desc
        limit 1
    ) as newest_file
        on newest_file._file_sha256 = source._file_sha256
{% endmacro %}
