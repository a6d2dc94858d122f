"""Two appointments of one therapist that hold their time never overlap (PostgreSQL).

An exclusion constraint over (therapist, [starts_at, ends_at)) needs the btree_gist extension for
the equality on therapist_id: a managed database must allow it (README, "Production"). SQLite
cannot express this constraint, so there the operation does nothing and
appointments.services._book checks under the write lock instead. It is not in the model's Meta for
the same reason; migration state and `makemigrations --check` stay the same on both databases.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "appointment_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE appointments_appointment ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(therapist_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (state IN ('booked', 'attended', 'no_show'))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        # Does nothing on databases other than PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint, elidable=False),
    ]
