"""A stored full-text document per therapist, kept current by PostgreSQL triggers.

Searching the expression index of 0003 needed an OR with an EXISTS over massage-type names, which
no index can answer: every search computed to_tsvector() over 100,000 bios (3 s for one count at
100k therapists, bench/RESULTS.md). The stored column holds name (A), headline, city and massage
type names (B), bio (C) and massage type descriptions (D), so one GIN index answers the whole text
match and ranking reads the stored vector instead of re-parsing the bio.

Triggers, not application code, keep it current, so every write path is covered: bulk inserts of
the demo seed, the admin, the dashboard, a renamed massage type. The row trigger fires only when
a text column is written, so score updates (recompute_scores) do not pay for it.

On SQLite the column exists and stays empty: TherapistQuerySet.matching() searches with LIKE there.
"""

import django.contrib.postgres.search
from django.db import migrations

SEARCH_INDEX = "therapist_search_gin_idx"

DOCUMENT_FUNCTION = """
CREATE OR REPLACE FUNCTION therapists_search_document(
    therapist_id bigint, display_name text, headline text, city text, bio text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(display_name, '')), 'A')
        || setweight(to_tsvector('english', coalesce(headline, '') || ' ' || coalesce(city, '')), 'B')
        || setweight(to_tsvector('english', coalesce(offered.names, '')), 'B')
        || setweight(to_tsvector('english', coalesce(bio, '')), 'C')
        || setweight(to_tsvector('english', coalesce(offered.descriptions, '')), 'D')
    FROM (
        SELECT string_agg(m.name, ' ' ORDER BY m.name) AS names,
               string_agg(m.description, ' ' ORDER BY m.name) AS descriptions
        FROM therapists_modality m
        JOIN therapists_therapist_modalities tm ON tm.modality_id = m.id
        WHERE tm.therapist_id = $1
    ) AS offered
$$;
"""

TRIGGERS = """
CREATE OR REPLACE FUNCTION therapists_therapist_search_document_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := therapists_search_document(NEW.id, NEW.display_name, NEW.headline, NEW.city, NEW.bio);
    RETURN NEW;
END $$;

CREATE TRIGGER therapist_search_document_row
    BEFORE INSERT OR UPDATE OF display_name, headline, city, bio ON therapists_therapist
    FOR EACH ROW EXECUTE FUNCTION therapists_therapist_search_document_row();

-- Massage types added or removed: one UPDATE per statement, so a bulk insert of 300,000 links is one pass.
CREATE OR REPLACE FUNCTION therapists_modalities_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE therapists_therapist t
    SET search_document = therapists_search_document(t.id, t.display_name, t.headline, t.city, t.bio)
    WHERE t.id IN (SELECT DISTINCT therapist_id FROM changed);
    RETURN NULL;
END $$;

CREATE TRIGGER therapist_modalities_added
    AFTER INSERT ON therapists_therapist_modalities REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION therapists_modalities_search_document();

CREATE TRIGGER therapist_modalities_removed
    AFTER DELETE ON therapists_therapist_modalities REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION therapists_modalities_search_document();

-- A renamed or re-described massage type (rare, by staff): every therapist offering it.
CREATE OR REPLACE FUNCTION therapists_modality_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE therapists_therapist t
    SET search_document = therapists_search_document(t.id, t.display_name, t.headline, t.city, t.bio)
    WHERE t.id IN (SELECT therapist_id FROM therapists_therapist_modalities WHERE modality_id = NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER modality_search_document
    AFTER UPDATE OF name, description ON therapists_modality
    FOR EACH ROW EXECUTE FUNCTION therapists_modality_search_document();
"""

BACKFILL = """
UPDATE therapists_therapist
SET search_document = therapists_search_document(id, display_name, headline, city, bio);
"""

DROP = """
DROP TRIGGER IF EXISTS modality_search_document ON therapists_modality;
DROP TRIGGER IF EXISTS therapist_modalities_removed ON therapists_therapist_modalities;
DROP TRIGGER IF EXISTS therapist_modalities_added ON therapists_therapist_modalities;
DROP TRIGGER IF EXISTS therapist_search_document_row ON therapists_therapist;
DROP FUNCTION IF EXISTS therapists_modality_search_document();
DROP FUNCTION IF EXISTS therapists_modalities_search_document();
DROP FUNCTION IF EXISTS therapists_therapist_search_document_row();
DROP FUNCTION IF EXISTS therapists_search_document(bigint, text, text, text, text);
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DOCUMENT_FUNCTION)
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(BACKFILL)
    # The column index takes the name of 0003's expression index, which nothing queries any more.
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    schema_editor.execute(f"CREATE INDEX {SEARCH_INDEX} ON therapists_therapist USING gin (search_document)")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    from therapists.models import therapist_search_vector

    schema_editor.execute(DROP)
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    therapist = apps.get_model("therapists", "Therapist")
    schema_editor.add_index(therapist, GinIndex(therapist_search_vector(), name=SEARCH_INDEX))


class Migration(migrations.Migration):
    dependencies = [("therapists", "0003_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="therapist",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
