"""The denormalised filter ids of migration 0010, and the one-pass facet counts that read them (PostgreSQL)."""

import pytest
from django.core.cache import cache
from django.http import QueryDict

from tests.factories import LanguageFactory, ModalityFactory, NeedFactory, TherapistFactory
from therapists import facets, pagination
from therapists.filters import TherapistFilter
from therapists.models import Therapist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def stored_ids(therapist) -> tuple[list[int], list[int], list[int]]:
    row = Therapist.objects.filter(pk=therapist.pk).values_list("modality_ids", "need_ids", "language_ids").get()
    return tuple(sorted(ids) for ids in row)


def test_the_ids_follow_links_added_and_removed_in_every_family():
    shiatsu, stress, german = ModalityFactory(slug="shiatsu"), NeedFactory(slug="stress"), LanguageFactory(code="de")
    therapist = TherapistFactory(modalities=[shiatsu], needs=[stress], languages=[german])
    assert stored_ids(therapist) == ([shiatsu.pk], [stress.pk], [german.pk])
    therapist.modalities.remove(shiatsu)
    therapist.needs.clear()
    therapist.languages.remove(german)
    assert stored_ids(therapist) == ([], [], [])


def test_a_save_of_a_stale_instance_does_not_write_old_ids_back():
    shiatsu, sports = ModalityFactory(slug="shiatsu"), ModalityFactory(slug="sports")
    therapist = TherapistFactory(modalities=[shiatsu])
    stale = Therapist.objects.get(pk=therapist.pk)
    therapist.modalities.add(sports)
    stale.headline = "Edited elsewhere"
    stale.save()
    assert stored_ids(therapist)[0] == sorted([shiatsu.pk, sports.pk])


def test_the_search_filters_read_the_ids():
    shiatsu, stress, german = ModalityFactory(slug="shiatsu"), NeedFactory(slug="stress"), LanguageFactory(code="de")
    TherapistFactory(slug="match", modalities=[shiatsu], needs=[stress], languages=[german])
    TherapistFactory(slug="other")
    search = TherapistFilter(QueryDict("modality=shiatsu&need=stress&language=de"), queryset=Therapist.objects.all())
    assert search.is_valid()
    sql = str(search.qs.query)
    assert '"modality_ids" &&' in sql and '"need_ids" &&' in sql and '"language_ids" @>' in sql
    assert [therapist.slug for therapist in search.qs] == ["match"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "modality=shiatsu",
        "modality=shiatsu&modality=sports&need=stress",
        "need=stress&language=de&verified=1",
        "accepting=1&min_rating=3&modality=sports",
        "city=Berlin&radius_km=10&modality=shiatsu&language=de",
        "q=shiatsu&accepting=1",
    ],
)
def test_one_pass_counts_equal_the_per_family_union(query):
    shiatsu, sports = ModalityFactory(slug="shiatsu", name="Shiatsu"), ModalityFactory(slug="sports", name="Sports")
    stress, skin = NeedFactory(slug="stress"), NeedFactory(slug="skin")
    german, french = LanguageFactory(code="de"), LanguageFactory(code="fr")
    for number in range(12):
        TherapistFactory(
            modalities=[[shiatsu], [sports], [shiatsu, sports]][number % 3],
            needs=[[stress], [skin], []][number % 3],
            languages=[[german], [french, german]][number % 2],
            accepts_new_clients=number % 4 != 0,
            has_verified_licence=number % 5 == 0,
            rating_avg=2 + number % 4,
            latitude=52.52 + number * 0.01,
            longitude=13.405,
        )
    cache.clear()
    search = TherapistFilter(QueryDict(query), queryset=Therapist.objects.for_listing())
    assert search.is_valid(), search.errors
    one_pass = facets._one_pass(search, sample=False)
    assert without_zeros(one_pass) == without_zeros(facets._counts_by_union(search))
    assert one_pass["total"].get("", 0) == search.qs.count()


def without_zeros(counts: dict) -> dict:
    """An absent option counts 0 (the page reads counts with .get(value, 0))."""
    return {family: {option: n for option, n in options.items() if n} for family, options in counts.items()}


@pytest.fixture
def sampled(monkeypatch):
    """Every therapist in the sample, and any number of candidates enough to sample: estimates equal counts."""
    monkeypatch.setattr(facets, "SAMPLE_EVERY", 1)
    monkeypatch.setattr(facets, "SAMPLED_FROM", 1)
    cache.clear()
    return monkeypatch


def test_a_search_without_a_place_over_many_candidates_says_about(client, sampled):
    sampled.setattr(facets, "EXACT_TOTAL_BELOW", 3)
    shiatsu = ModalityFactory(slug="shiatsu", name="Shiatsu")
    for _ in range(4):
        TherapistFactory(modalities=[shiatsu])
    page = client.get("/therapists/").content.decode()
    assert "About 4 therapists found" in page
    assert 'Shiatsu <span class="facet-count">(about 4)</span>' in page


def test_a_small_result_is_counted_exactly_even_when_sampled(client, sampled):
    sampled.setattr(facets, "EXACT_TOTAL_BELOW", 100)
    for _ in range(4):
        TherapistFactory()
    page = client.get("/therapists/").content.decode()
    assert "4 therapists found" in page and "About 4" not in page


def test_a_search_around_a_place_is_never_sampled(client, sampled):
    sampled.setattr(facets, "EXACT_TOTAL_BELOW", 3)
    for _ in range(4):
        TherapistFactory(city="Berlin", latitude=52.52, longitude=13.405)
    page = client.get("/therapists/?city=Berlin").content.decode()
    assert "4 therapists found" in page and "about" not in page.split("results-heading")[1][:60]


def test_a_large_api_count_without_a_place_is_scaled_from_the_sample(client, monkeypatch):
    monkeypatch.setattr(pagination, "SAMPLE_EVERY", 2)
    monkeypatch.setattr(pagination, "CACHED_COUNT_FROM", 3)
    therapists = [TherapistFactory() for _ in range(5)]
    in_sample = sum(therapist.pk % 2 == 0 for therapist in therapists)
    assert client.get("/api/v1/therapists/").json()["count"] == 2 * in_sample


def test_a_small_api_count_is_exact(client, monkeypatch):
    monkeypatch.setattr(pagination, "SAMPLE_EVERY", 2)
    for _ in range(5):
        TherapistFactory()
    assert client.get("/api/v1/therapists/").json()["count"] == 5
