"""TherapistFilter, through the public search page: one test per parameter and sort order."""

import re

import pytest
from django.utils import timezone

from tests.factories import (
    CredentialFactory,
    LanguageFactory,
    ModalityFactory,
    NeedFactory,
    ReviewFactory,
    TherapistFactory,
)
from therapists.models import Therapist
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db

# Demo-like places: Berlin centre, Potsdam (about 27 km away) and Munich (about 504 km away).
BERLIN = {"city": "Berlin", "latitude": 52.52, "longitude": 13.405}
POTSDAM = {"city": "Potsdam", "latitude": 52.3906, "longitude": 13.0645}
MUNICH = {"city": "Munich", "latitude": 48.137, "longitude": 11.575}


def names(response):
    return [therapist.display_name for therapist in response.context["page"].object_list]


def search(client, query=""):
    return client.get(f"/therapists/?{query}")


def test_only_published_therapists_are_listed(client):
    TherapistFactory(display_name="Published Pia")
    TherapistFactory(display_name="Draft Dora", draft=True)
    TherapistFactory(display_name="Suspended Sam", suspended=True)
    response = search(client)
    assert response.status_code == 200
    assert names(response) == ["Published Pia"]


def test_default_sort_is_score_with_pk_as_tie_breaker(client):
    first = TherapistFactory(display_name="Tie A", score=50)
    TherapistFactory(display_name="Top", score=90)
    second = TherapistFactory(display_name="Tie B", score=50)
    assert first.pk < second.pk
    assert names(search(client)) == ["Top", "Tie A", "Tie B"]


def test_rating_sort_uses_the_weighted_rating_not_the_average(client):
    TherapistFactory(display_name="One five star", rating_avg=5.0, rating_weighted=3.64, review_count=1)
    TherapistFactory(display_name="Many good", rating_avg=4.8, rating_weighted=4.74, review_count=200)
    assert names(search(client, "sort=rating")) == ["Many good", "One five star"]


def test_experience_sort_puts_the_longest_career_first(client):
    year = timezone.localdate().year
    TherapistFactory(display_name="Newcomer", practising_since=year - 1)
    TherapistFactory(display_name="Veteran", practising_since=year - 30)
    assert names(search(client, "sort=experience")) == ["Veteran", "Newcomer"]


def test_reviews_sort_puts_the_most_reviewed_first(client):
    TherapistFactory(display_name="Few", review_count=2, score=90)
    TherapistFactory(display_name="Many", review_count=40, score=10)
    assert names(search(client, "sort=reviews")) == ["Many", "Few"]


def test_text_search_matches_name_headline_bio_and_city(client):
    TherapistFactory(display_name="Clara Weber", headline="Sports massage", bio="", **MUNICH)
    TherapistFactory(display_name="Ben Brandt", headline="Hot stones", bio="Lymph work after surgery", **BERLIN)
    assert names(search(client, "q=weber")) == ["Clara Weber"]
    assert names(search(client, "q=sports")) == ["Clara Weber"]
    assert names(search(client, "q=surgery")) == ["Ben Brandt"]
    assert names(search(client, "q=munich")) == ["Clara Weber"]


def test_text_search_matches_modality_names(client):
    TherapistFactory(display_name="Shiatsu Sara", headline="", bio="", modalities=[ModalityFactory(slug="shiatsu")])
    TherapistFactory(display_name="Other Olga", headline="", bio="")
    assert names(search(client, "q=shiatsu")) == ["Shiatsu Sara"]


def test_city_search_keeps_therapists_within_the_default_radius_and_shows_distance(client):
    TherapistFactory(display_name="In Berlin", **BERLIN)
    TherapistFactory(display_name="In Munich", **MUNICH)
    response = search(client, "city=Berlin")
    assert names(response) == ["In Berlin"]
    assert response.context["page"].object_list[0].distance_km < 2
    assert "km away" in response.content.decode()


def test_radius_widens_a_city_search(client):
    TherapistFactory(display_name="In Berlin", **BERLIN)
    TherapistFactory(display_name="In Potsdam", **POTSDAM)
    assert names(search(client, "city=Berlin&radius_km=20")) == ["In Berlin"]
    assert names(search(client, "city=Berlin&radius_km=40&sort=distance")) == ["In Berlin", "In Potsdam"]


def test_point_search_sorted_by_distance_is_nearest_first(client):
    TherapistFactory(display_name="Far", score=99, **POTSDAM)
    TherapistFactory(display_name="Near", score=1, **BERLIN)
    response = search(client, "lat=52.52&lon=13.40&radius_km=100&sort=distance")
    assert names(response) == ["Near", "Far"]
    distances = [round(t.distance_km) for t in response.context["page"].object_list]
    assert distances == [0, 27]


def test_city_with_country_picks_that_country(client):
    TherapistFactory(display_name="Paris France", city="Paris", latitude=48.8534, longitude=2.3488, country="FR")
    assert names(search(client, "city=Paris, FR")) == ["Paris France"]
    assert names(search(client, "city=Paris, US")) == []


def test_several_modalities_mean_any_of_them(client):
    swedish, thai, reflexology = (ModalityFactory(slug=slug) for slug in ("swedish", "thai", "reflexology"))
    TherapistFactory(display_name="Swedish", modalities=[swedish], score=0)
    TherapistFactory(display_name="Thai", modalities=[thai], score=10)
    TherapistFactory(display_name="Both", modalities=[swedish, thai], score=5)
    TherapistFactory(display_name="Reflexology", modalities=[reflexology])
    assert names(search(client, "modality=thai&modality=swedish")) == ["Thai", "Both", "Swedish"]


def test_need_filter_keeps_therapists_helping_with_any_given_need(client):
    stress, skin = NeedFactory(slug="stress-sleep"), NeedFactory(slug="skin")
    TherapistFactory(display_name="Stress", needs=[stress])
    TherapistFactory(display_name="Skin", needs=[skin])
    TherapistFactory(display_name="None")
    assert sorted(names(search(client, "need=stress-sleep&need=skin"))) == ["Skin", "Stress"]


def test_verified_keeps_only_therapists_with_a_verified_licence(client):
    TherapistFactory(display_name="Verified", has_verified_licence=True)
    TherapistFactory(display_name="Unverified", has_verified_licence=False)
    assert names(search(client, "verified=1")) == ["Verified"]


def test_min_rating_filters_on_the_average_rating(client):
    TherapistFactory(display_name="Good", rating_avg=4.6)
    TherapistFactory(display_name="Fair", rating_avg=3.9)
    TherapistFactory(display_name="Unrated", rating_avg=None)
    assert names(search(client, "min_rating=4.5")) == ["Good"]


def test_min_years_keeps_therapists_practising_at_least_that_long(client):
    year = timezone.localdate().year
    TherapistFactory(display_name="Ten years", practising_since=year - 10)
    TherapistFactory(display_name="Two years", practising_since=year - 2)
    assert names(search(client, "min_years=10")) == ["Ten years"]


def test_language_filter_keeps_therapists_speaking_it(client):
    german = LanguageFactory(code="de", name="German")
    TherapistFactory(display_name="Deutsch", languages=[german])
    TherapistFactory(display_name="English only", languages=[LanguageFactory(code="en", name="English")])
    assert names(search(client, "language=de")) == ["Deutsch"]


def test_accepting_keeps_therapists_taking_new_clients(client):
    TherapistFactory(display_name="Open", accepts_new_clients=True)
    TherapistFactory(display_name="Full", accepts_new_clients=False)
    assert names(search(client, "accepting=1")) == ["Open"]


def test_max_price_compares_the_lowest_session_price(client):
    TherapistFactory(display_name="Cheap", price_from=40, price_to=120)
    TherapistFactory(display_name="Dear", price_from=90, price_to=120)
    assert names(search(client, "max_price=50")) == ["Cheap"]


def test_active_filters_link_to_the_same_search_without_them(client):
    ModalityFactory(slug="thai", name="Thai massage")
    TherapistFactory(**BERLIN)
    response = search(client, "city=Berlin&modality=thai&verified=1&page=1")
    removals = {active["label"]: active["remove"] for active in response.context["active_filters"]}
    assert removals["Massage type: Thai massage"] == "city=Berlin&verified=1"
    assert removals["Verified licence"] == "city=Berlin&modality=thai"
    assert removals["Within 25 km of Berlin, DE"] == "modality=thai&verified=1"


def test_empty_result_explains_which_filter_to_relax(client):
    TherapistFactory(accepts_new_clients=False, **BERLIN)
    response = search(client, "city=Berlin&accepting=1")
    content = response.content.decode()
    assert response.status_code == 200
    assert "No published therapist matches all of these filters." in content
    assert "Remove “Accepts new clients”" in content
    assert 'href="?city=Berlin"' in content


def test_result_card_shows_score_components_badge_rating_and_modalities(client):
    therapist = TherapistFactory(modalities=[ModalityFactory(slug="thai", name="Thai massage")])
    ReviewFactory(therapist=therapist, rating=4)
    CredentialFactory(therapist=therapist, verified=True)
    recompute_score(therapist_id=therapist.pk)
    content = search(client).content.decode()
    assert "Verified licence" in content
    assert "20/20" in content
    assert "4.0★" in content
    assert "1 review" in content
    assert "Thai massage" in content
    assert 'href="/how-we-rank/"' in content


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("min_rating=abc", "min_rating", "Enter a number."),
        ("radius_km=-5&city=Berlin", "radius_km", "Ensure this value is greater than or equal to 1."),
        ("lat=999&lon=10", "lat", "Ensure this value is less than or equal to 90."),
        ("lat=52", "lon", "Give both lat and lon, or neither."),
        ("sort=cheapest", "sort", "Select a valid choice."),
        ("city=Qwertzuiop", "city", "We don't know a city called “Qwertzuiop”"),
        ("modality=levitation", "modality", "Select a valid choice."),
        ("verified=yes", "verified", "Select a valid choice."),
    ],
)
def test_bad_input_shows_a_message_next_to_the_field(client, query, field, message):
    TherapistFactory()
    response = search(client, query)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors)
    assert f'id="id_{field}' in response.content.decode()


@pytest.mark.parametrize(
    ("page", "shown", "message"),
    [("0", 1, "Page numbers start at 1"), ("abc", 1, "whole numbers"), ("99", 2, "only 2 pages")],
)
def test_out_of_range_page_shows_a_page_and_says_why(client, page, shown, message):
    TherapistFactory.create_batch(21)
    response = search(client, f"page={page}")
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert message in response.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_search_page_query_count_does_not_grow_with_results(client, django_assert_max_num_queries, count):
    modalities = [ModalityFactory(slug=f"m{n}") for n in range(3)]
    for _ in range(count):
        TherapistFactory(modalities=modalities, **BERLIN)
    with django_assert_max_num_queries(6):
        response = search(client, "city=Berlin&modality=m1&sort=distance")
    assert len(names(response)) == min(count, 20)


def test_search_page_labels_every_input(client):
    content = search(client).content.decode()
    # Hidden inputs (lat, lon: "Use my location" fills them) need no label.
    ids = re.findall(r'<(?:input(?! type="hidden")|select)[^>]*id="([^"]+)"', content)
    assert ids
    for input_id in ids:
        assert f'for="{input_id}"' in content, input_id


def test_published_queryset_is_enforced_even_for_a_wider_queryset():
    from django.http import QueryDict

    from therapists.filters import TherapistFilter

    TherapistFactory(draft=True)
    therapist_filter = TherapistFilter(QueryDict(""), queryset=Therapist.objects.all())
    assert therapist_filter.is_valid()
    assert therapist_filter.qs.count() == 0


def test_empty_modality_and_need_from_the_home_form_mean_no_filter(client):
    TherapistFactory(display_name="Anyone", city="Berlin", latitude=52.52, longitude=13.405)
    response = search(client, "city=Berlin&modality=&need=")
    assert response.status_code == 200
    assert names(response) == ["Anyone"]
