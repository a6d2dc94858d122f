"""The ids of each therapist's massage types, needs and languages on the therapist row, GIN-indexed.

A search for a massage type or a need tested every candidate therapist with an EXISTS on the
many-to-many table, and the facet counts joined those tables once per family: over 90,000
published therapists that was 200–400 ms a page (issue 20, bench/RESULTS.md). As integer arrays on
the row, `modality_ids && '{3}'` is answered by a GIN index, and the counts read one row per
therapist instead of one per link.

PostgreSQL triggers keep the arrays, like search_document (0004), so every write path is covered:
the profile form, the admin, the demo seed's bulk inserts. A statement trigger on each many-to-many
table touches the therapists whose links changed; a row trigger on the therapist computes the three
arrays from the link tables whenever a write names them, so a Django save() of a stale instance
cannot write old ids back. On SQLite the columns exist and stay empty: the filters use EXISTS there.
"""

from string import Template

from django.db import migrations

import therapists.models

FAMILIES = (
    ("modality_ids", "therapists_therapist_modalities", "modality_id"),
    ("need_ids", "therapists_therapist_needs", "need_id"),
    ("language_ids", "therapists_therapist_languages", "language_id"),
)


def _ids(through: str, column: str, therapist: str) -> str:
    # Table and column names are this file's constants, never input.
    aggregate = f"SELECT array_agg({column} ORDER BY {column}) FROM {through} WHERE therapist_id = {therapist}"  # noqa: S608  # nosec B608
    return f"coalesce(({aggregate}), '{{}}')"


ROW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION therapists_therapist_filter_ids_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {' '.join(f'NEW.{field} := {_ids(through, column, "NEW.id")};' for field, through, column in FAMILIES)}
    RETURN NEW;
END $$;

CREATE TRIGGER therapist_filter_ids_row
    BEFORE INSERT OR UPDATE OF modality_ids, need_ids, language_ids ON therapists_therapist
    FOR EACH ROW EXECUTE FUNCTION therapists_therapist_filter_ids_row();
"""

# string.Template: the names are this file's constants, never input.
STATEMENT_FUNCTION = Template("""
CREATE OR REPLACE FUNCTION therapists_${field}_changed() RETURNS trigger LANGUAGE plpgsql AS $$$$
BEGIN
    -- Naming the column fires the row trigger above, which reads the link table.
    UPDATE therapists_therapist t SET ${field} = t.${field}
    WHERE t.id IN (SELECT DISTINCT therapist_id FROM changed);
    RETURN NULL;
END $$$$;

CREATE TRIGGER therapist_${field}_added
    AFTER INSERT ON ${through} REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION therapists_${field}_changed();

CREATE TRIGGER therapist_${field}_removed
    AFTER DELETE ON ${through} REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION therapists_${field}_changed();
""")
STATEMENT_FUNCTIONS = "".join(STATEMENT_FUNCTION.substitute(field=field, through=through) for field, through, _ in FAMILIES)

# Columns a search can filter on without words, so the facet counts' one pass over the candidates
# (therapists.facets) is an index-only scan instead of a read of every wide row (the bio is inline).
# The point index also carries the sort columns: around a place, the page's 20 keys are then chosen
# from the index alone (therapists.pagination), not from a few thousand rows read to be sorted.
FACET_COLUMNS = (
    "modality_ids, need_ids, language_ids, has_verified_licence, accepts_new_clients, rating_avg, "
    "practising_since, price_from"
)
SORT_COLUMNS = "id, score, review_count, rating_weighted"
INDEXES = "".join(
    f"CREATE INDEX therapist_{field}_gin_idx ON therapists_therapist USING gin ({field});\n"
    for field, _, _ in FAMILIES
) + (
    f"CREATE INDEX therapist_facets_idx ON therapists_therapist (status) INCLUDE ({FACET_COLUMNS});\n"
    f"CREATE INDEX therapist_point_facets_idx ON therapists_therapist (latitude, longitude) "
    f"INCLUDE (status, {FACET_COLUMNS}, {SORT_COLUMNS});\n"
)

DROP = "".join(
    f"""
DROP TRIGGER IF EXISTS therapist_{field}_added ON {through};
DROP TRIGGER IF EXISTS therapist_{field}_removed ON {through};
DROP FUNCTION IF EXISTS therapists_{field}_changed();
DROP INDEX IF EXISTS therapist_{field}_gin_idx;
"""
    for field, through, _ in FAMILIES
) + """
DROP INDEX IF EXISTS therapist_facets_idx;
DROP INDEX IF EXISTS therapist_point_facets_idx;
DROP TRIGGER IF EXISTS therapist_filter_ids_row ON therapists_therapist;
DROP FUNCTION IF EXISTS therapists_therapist_filter_ids_row();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ROW_FUNCTION)
    schema_editor.execute(STATEMENT_FUNCTIONS)
    schema_editor.execute(INDEXES)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("therapists", "0009_photo_uploads")]

    operations = [
        *(
            migrations.AddField(
                model_name="therapist",
                name=field,
                field=therapists.models.FilterIdsField(blank=True, default=list, editable=False),
            )
            for field, _, _ in FAMILIES
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
