"""Fill the filter arrays of 0010 for the therapists that already exist (PostgreSQL; nothing on SQLite).

Naming the columns fires 0010's row trigger, which reads the three link tables: one pass over the
table (about a minute at 100,000 therapists). Reversing leaves them: 0010's reversal drops them.
"""

from django.db import migrations

BACKFILL = """
UPDATE therapists_therapist SET modality_ids = modality_ids, need_ids = need_ids, language_ids = language_ids;
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("therapists", "0010_search_filter_ids")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
