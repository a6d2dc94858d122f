"""Full-text and trigram indexes for search, on PostgreSQL only.

SQLite has neither GIN indexes nor pg_trgm, and its search is a simple fallback
(TherapistQuerySet.matching), so on SQLite this migration does nothing. The indexes are not in
Therapist.Meta because Meta indexes must work on every database the project supports.
"""

from django.db import migrations

SEARCH_INDEX = "therapist_search_gin_idx"
TRIGRAM_INDEX = "therapist_name_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex, OpClass

    # The indexed expression is the very one TherapistQuerySet.matching() filters on, or the planner
    # could not use it.
    from therapists.models import therapist_search_vector

    therapist = apps.get_model("therapists", "Therapist")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.add_index(therapist, GinIndex(therapist_search_vector(), name=SEARCH_INDEX))
    schema_editor.add_index(therapist, GinIndex(OpClass("display_name", name="gin_trgm_ops"), name=TRIGRAM_INDEX))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The pg_trgm extension stays: other databases objects may use it by then.
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("therapists", "0002_reference_data")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
