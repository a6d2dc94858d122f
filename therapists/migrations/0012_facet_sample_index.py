"""A partial covering index over one therapist in 16, from which searches without a place estimate counts.

Without a place the facet counts' candidates are most of the directory: 90,000 index entries read
and unnested per page (0.3-0.5 s at 100k, issue 20). therapists.facets counts the rows whose id is a
multiple of 16 instead, through this index alone, and scales up ("about 12,000"). The predicate must
stay as facets writes it (`id % 16 = 0`, the operator, not mod()) for the planner to choose the index. PostgreSQL only.
"""

from django.db import migrations

INDEX = (
    "CREATE INDEX therapist_facets_sample_idx ON therapists_therapist (status) INCLUDE ("
    "modality_ids, need_ids, language_ids, has_verified_licence, accepts_new_clients, rating_avg, "
    "practising_since, price_from) WHERE (id %% 16) = 0"  # %% is one %: the statement is formatted
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS therapist_facets_sample_idx")


class Migration(migrations.Migration):
    dependencies = [("therapists", "0011_backfill_search_filter_ids")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
