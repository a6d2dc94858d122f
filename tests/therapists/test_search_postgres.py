"""Full-text, trigram and distance search on PostgreSQL (CI runs these with DATABASE_URL=postgres://…)."""

import pytest
from django.db import connection

from tests.factories import ModalityFactory, TherapistFactory
from therapists.models import Therapist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def slugs(queryset):
    return list(queryset.values_list("slug", flat=True))


def test_full_text_search_stems_words():
    TherapistFactory(slug="sports", headline="Massages for runners", bio="")
    TherapistFactory(slug="other", headline="Hot stones", bio="")
    assert slugs(Therapist.objects.published().matching("massage runner")) == ["sports"]


def test_full_text_ranks_a_name_match_above_a_bio_match_at_equal_score():
    TherapistFactory(slug="bio", display_name="Ben Brandt", bio="Trained with Weber for years", score=50)
    TherapistFactory(slug="name", display_name="Clara Weber", bio="", score=50)
    results = Therapist.objects.published().matching("weber").order_by("-score", "-search_rank", "pk")
    assert slugs(results) == ["name", "bio"]


def test_trigram_similarity_finds_a_misspelt_name():
    TherapistFactory(slug="clara", display_name="Clara Weber", headline="", bio="")
    TherapistFactory(slug="other", display_name="Ben Brandt", headline="", bio="")
    assert slugs(Therapist.objects.published().matching("Clara Webre")) == ["clara"]


def test_full_text_search_matches_modality_names():
    TherapistFactory(slug="shiatsu", headline="", bio="", modalities=[ModalityFactory(slug="shiatsu", name="Shiatsu")])
    TherapistFactory(slug="other", headline="", bio="")
    assert slugs(Therapist.objects.published().matching("shiatsu")) == ["shiatsu"]


def test_websearch_syntax_in_user_input_never_errors():
    TherapistFactory()
    assert slugs(Therapist.objects.published().matching('"unclosed OR -- & | ! :*')) == []


def test_distance_is_great_circle_kilometres():
    TherapistFactory(slug="potsdam", latitude=52.3906, longitude=13.0645)
    result = Therapist.objects.published().near(52.52, 13.405, 50).get()
    assert result.distance_km == pytest.approx(27.3, abs=0.3)


def test_search_migration_created_the_gin_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'therapists_therapist'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"therapist_search_gin_idx", "therapist_name_trgm_idx"} <= indexes


def test_search_api_returns_full_text_results(client):
    TherapistFactory(slug="sports", headline="Sports massage for runners", bio="")
    TherapistFactory(slug="other", headline="Hot stones", bio="")
    body = client.get("/api/v1/therapists/?q=runner").json()
    assert [result["slug"] for result in body["results"]] == ["sports"]
