"""The search page that finds (issue 19): counts beside filters, typos forgiven, places explained,
no dead-end empty page, numbered pages, a map of the results. Runs on SQLite and on PostgreSQL."""

import random
import re

import pytest
from django.core.cache import cache
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.services import suspend_therapist
from tests.factories import LanguageFactory, ModalityFactory, NeedFactory, TherapistFactory, UserFactory
from therapists import facets, spelling
from therapists.filters import TherapistFilter
from therapists.models import Therapist
from therapists.pagination import page_window

pytestmark = pytest.mark.django_db

BERLIN = {"city": "Berlin", "country": "DE", "latitude": 52.52, "longitude": 13.405}
POTSDAM = {"city": "Potsdam", "country": "DE", "latitude": 52.3906, "longitude": 13.0645}
HAMBURG = {"city": "Hamburg", "country": "DE", "latitude": 53.5511, "longitude": 9.9937}  # about 255 km from Berlin


def search(client, query=""):
    return client.get(f"/therapists/?{query}")


def names(response):
    return [therapist.display_name for therapist in response.context["page"].object_list]


@pytest.fixture
def catalogue(db):
    deep = ModalityFactory(slug="deep-tissue")
    sports = ModalityFactory(slug="sports")
    thai = ModalityFactory(slug="thai")
    pain = NeedFactory(slug="muscle-tension-pain")
    stress = NeedFactory(slug="stress-sleep")
    german = LanguageFactory(code="de")
    english = LanguageFactory(code="en")
    return {"deep": deep, "sports": sports, "thai": thai, "pain": pain, "stress": stress, "de": german, "en": english}


# Facet counts


def test_every_massage_type_shows_how_many_the_search_would_find_with_it(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"], catalogue["sports"]], **BERLIN)
    TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    TherapistFactory(modalities=[catalogue["sports"]], accepts_new_clients=False, **BERLIN)
    content = search(client, "city=Berlin").content.decode()
    assert re.search(
        r'value="deep-tissue"[^>]*>\s*<label[^>]*>Deep tissue massage <span class="facet-count">\(2\)', content
    )
    assert re.search(r'value="sports"[^>]*>\s*<label[^>]*>Sports massage <span class="facet-count">\(2\)', content)
    assert 'Accepts new clients <span class="facet-count">(2)</span>' in content


def test_an_option_that_would_find_nobody_is_shown_disabled_not_hidden(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    content = search(client).content.decode()
    assert re.search(
        r'<input type="checkbox" form="search-form" name="modality" value="thai" id="[^"]+" disabled>', content
    )
    assert 'Thai massage <span class="facet-count">(0)</span>' in content
    assert re.search(r'<option value="en" disabled>English \(0\)</option>', content)


def test_counts_leave_out_their_own_family_but_apply_the_others(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"]], accepts_new_clients=True, **BERLIN)
    TherapistFactory(modalities=[catalogue["thai"]], accepts_new_clients=True, **BERLIN)
    TherapistFactory(modalities=[catalogue["thai"]], accepts_new_clients=False, **BERLIN)
    response = search(client, "modality=deep-tissue&accepting=1")
    options = {option["value"]: option["count"] for option in response.context["options"]["modality"]}
    # Choosing Thai as well would add the one accepting Thai therapist; the other does not accept clients.
    assert {slug: options[slug] for slug in MODALITIES} == {"deep-tissue": 1, "sports": 0, "thai": 1}
    assert sum(options.values()) == 2
    # Accepting is counted over the deep-tissue search without the accepting filter.
    assert response.context["options"]["accepting"]["count"] == 1
    assert names(response) == [Therapist.objects.get(modalities=catalogue["deep"]).display_name]


def test_a_chosen_option_with_zero_stays_enabled_so_it_can_be_unticked(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"]], languages=[catalogue["de"]], **BERLIN)
    content = search(client, "language=en&modality=deep-tissue").content.decode()
    assert '<option value="en" selected>English (0)</option>' in content


def test_the_filters_button_counts_the_filters_in_use(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    content = search(client, "city=Berlin&modality=deep-tissue&modality=thai&verified=1").content.decode()
    # Place, massage type (one family however many types) and verified licence.
    assert '<span class="filters-summary">Filters (3)</span>' in content
    assert "<details" in content and 'id="filters"' in content


def test_facet_counts_are_cached_per_normalised_search(client, catalogue, django_assert_num_queries):
    TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    search(client, "modality=deep-tissue&need=muscle-tension-pain&need=stress-sleep")
    # Same search, parameters in another order, another sort and page: the counts come from the cache.
    therapist_filter = TherapistFilter(
        QueryDict("need=stress-sleep&need=muscle-tension-pain&sort=rating&modality=deep-tissue"),
        queryset=Therapist.objects.all(),
    )
    assert therapist_filter.is_valid()
    with django_assert_num_queries(0):
        counts = facets.facet_counts(therapist_filter)
    assert counts["modality"] == {}  # no therapist helps with those needs


def deep_tissue_count(response):
    return next(
        option["count"] for option in response.context["options"]["modality"] if option["value"] == "deep-tissue"
    )


def test_facet_counts_follow_a_suspended_therapist_at_once(client, catalogue, django_capture_on_commit_callbacks):
    therapist = TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    TherapistFactory(modalities=[catalogue["deep"]], **BERLIN)
    assert deep_tissue_count(search(client)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        suspend_therapist(therapist=therapist, moderator=UserFactory(moderator=True), reason="Complaints.")
    assert deep_tissue_count(search(client)) == 1


MODALITIES = ["deep-tissue", "sports", "thai"]
NEEDS = ["muscle-tension-pain", "stress-sleep"]
filter_combinations = st.fixed_dictionaries(
    {},
    optional={
        "modality": st.lists(st.sampled_from(MODALITIES), max_size=2, unique=True),
        "need": st.lists(st.sampled_from(NEEDS), max_size=2, unique=True),
        "language": st.sampled_from(["de", "en"]),
        "verified": st.just("1"),
        "accepting": st.just("1"),
        "min_years": st.integers(0, 12),
        "max_price": st.sampled_from([50, 70, 100]),
        "city": st.sampled_from(["Berlin", "Potsdam"]),
        "q": st.sampled_from(["sports", "Anna", "calm"]),
    },
)


@pytest.fixture
def seeded(catalogue):
    """Eighteen therapists with every combination of facets that matters, in three cities."""
    rng = random.Random(19)
    modalities = [catalogue["deep"], catalogue["sports"], catalogue["thai"]]
    needs = [catalogue["pain"], catalogue["stress"]]
    languages = [catalogue["de"], catalogue["en"]]
    for number in range(18):
        TherapistFactory(
            display_name=rng.choice(["Anna", "Ben", "Clara"]) + f" Tester{number}",
            headline=rng.choice(["Sports recovery", "A calm room", "Deep work"]),
            modalities=rng.sample(modalities, rng.randint(1, 3)),
            needs=rng.sample(needs, rng.randint(0, 2)),
            languages=rng.sample(languages, rng.randint(0, 2)),
            has_verified_licence=rng.random() < 0.5,
            accepts_new_clients=rng.random() < 0.6,
            practising_since=2026 - rng.randint(0, 15),
            price_from=rng.choice([40, 60, 80]),
            price_to=120,
            **rng.choice([BERLIN, POTSDAM, HAMBURG]),
        )


def brute_force(params: dict, family: str, option: str) -> int:
    """The search with `family` replaced by just `option`, counted the slow, obvious way."""
    changed = {**params, family: [option] if family in ("modality", "need") else option}
    query = QueryDict(mutable=True)
    for name, value in changed.items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    therapist_filter = TherapistFilter(query, queryset=Therapist.objects.all())
    assert therapist_filter.is_valid(), therapist_filter.errors
    return therapist_filter.qs.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=filter_combinations)
def test_facet_counts_equal_a_brute_force_count_over_the_same_filters(seeded, params):
    cache.clear()
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    therapist_filter = TherapistFilter(query, queryset=Therapist.objects.all())
    assert therapist_filter.is_valid(), therapist_filter.errors
    counts = facets.facet_counts(therapist_filter)
    for family, options in (("modality", MODALITIES), ("need", NEEDS), ("language", ["de", "en"])):
        for option in options:
            assert counts[family].get(option, 0) == brute_force(params, family, option), (family, option)
    for family in ("verified", "accepting"):
        assert counts[family].get("1", 0) == brute_force(params, family, "1"), family


# Typos forgiven


@pytest.fixture
def spelled(catalogue):
    TherapistFactory(
        display_name="Jana Nowak", headline="Sports recovery and massage", modalities=[catalogue["sports"]], **BERLIN
    )
    TherapistFactory(
        display_name="Leon Weber", headline="Calm massage for stress", modalities=[catalogue["deep"]], **POTSDAM
    )
    TherapistFactory(
        display_name="Mika Sato",
        headline="Japanese pressure work",
        modalities=[ModalityFactory(slug="shiatsu")],
        **POTSDAM,
    )


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("masage", "massage"),
        ("sprots", "sports"),
        ("Nowk", "nowak"),
        ("deep tisue", "deep tissue"),
        ("shiatsoo", "shiatsu"),
    ],
)
def test_a_misspelt_word_is_corrected_and_the_page_says_so(client, spelled, typed, corrected):
    response = search(client, f"q={typed}")
    content = response.content.decode()
    assert response.status_code == 200
    assert names(response)
    assert f"Showing results for <strong>{corrected}</strong> (you typed <em>{typed}</em>)" in content
    exact = QueryDict(mutable=True)
    exact.update({"q": typed, "exact": "1"})
    assert f'href="?{exact.urlencode()}"' in content.replace("&amp;", "&")


def test_the_link_to_the_original_words_searches_them_as_typed(client, spelled):
    response = search(client, "q=masage&exact=1")
    assert response.status_code == 200
    assert names(response) == []
    assert response.context["correction"] is None
    assert "Showing results for" not in response.content.decode()


@pytest.mark.parametrize("word", ["massage", "sports", "Weber", "Berlin"])
def test_a_correct_word_is_never_corrected(client, spelled, word):
    response = search(client, f"q={word}")
    assert response.context["correction"] is None
    assert names(response)


def test_a_known_word_in_a_search_that_finds_nothing_is_left_alone(client, spelled):
    # "massage" exists; only the place makes the search empty.
    response = search(client, "q=massage&city=Hamburg&radius_km=5")
    assert response.context["correction"] is None
    assert spelling.correct("massage") is None


def test_the_vocabulary_holds_the_directorys_own_words(spelled):
    words = spelling.vocabulary()
    assert {"massage", "sports", "nowak", "potsdam", "tissue", "recovery"} <= set(words)


def test_a_word_like_nothing_we_know_gets_no_correction(client, spelled):
    response = search(client, "q=xqzvbnm")
    assert response.context["correction"] is None
    assert names(response) == []


def test_the_correction_keeps_the_other_filters(client, spelled, catalogue):
    response = search(client, "q=masage&modality=deep-tissue")
    assert names(response) == ["Leon Weber"]
    assert response.context["correction"]["corrected"] == "massage"


# Places


def test_an_unknown_city_suggests_the_cities_it_may_be(client, spelled):
    response = search(client, "city=Berln")
    content = response.content.decode()
    assert response.status_code == 400
    assert "know a city called “Berln”" in content
    assert 'Did you mean\n          <a href="?city=Berlin%2C+DE">Berlin, DE</a>' in content


def test_the_suggested_city_link_finds_therapists_there(client, spelled):
    response = search(client, "city=Berlin%2C+DE")
    assert response.status_code == 200
    assert names(response) == ["Jana Nowak"]  # Potsdam is 27 km away, outside the default 25


def test_an_ambiguous_city_says_which_was_chosen_and_links_to_the_others(client, spelled):
    content = search(client, "city=Springfield").content.decode()
    assert "Near <strong>Springfield, US</strong>" in content
    assert '<a href="?city=Springfield%2C+US-MA">Springfield, US-MA</a>' in content
    response = search(client, "city=Springfield%2C+US-MA")
    assert response.status_code == 200
    assert response.context["place"].region == "MA"


def test_a_city_with_one_place_of_its_name_shows_no_alternatives(client, spelled):
    response = search(client, "city=Atlantis")
    content = response.content.decode()
    assert "Near <strong>Atlantis, ZA</strong>" in content
    assert response.context["other_places"] == []


def test_a_tampered_region_is_an_unknown_city_not_an_error_page(client, spelled):
    response = search(client, "city=Springfield%2C+US-ZZ")
    assert response.status_code == 400
    assert "know a city called" in response.content.decode()


# No dead end


def test_an_empty_result_names_the_most_restrictive_filter_with_the_count_without_it(client, catalogue):
    TherapistFactory(modalities=[catalogue["deep"]], accepts_new_clients=False, **BERLIN)
    TherapistFactory(modalities=[catalogue["deep"]], accepts_new_clients=False, **BERLIN)
    TherapistFactory(modalities=[catalogue["thai"]], accepts_new_clients=True, **BERLIN)
    response = search(client, "city=Berlin&modality=deep-tissue&accepting=1")
    content = response.content.decode()
    assert names(response) == []
    assert "The most restrictive filter is Accepts new clients: 2 therapists match without it." in content
    assert 'href="?city=Berlin&amp;modality=deep-tissue">Search without it</a>' in content


def test_an_empty_result_offers_the_nearest_matches_outside_the_radius(client, catalogue):
    TherapistFactory(display_name="In Potsdam", modalities=[catalogue["deep"]], **POTSDAM)
    TherapistFactory(display_name="In Hamburg", modalities=[catalogue["deep"]], **HAMBURG)
    response = search(client, "city=Berlin&radius_km=10&modality=deep-tissue")
    content = response.content.decode()
    assert names(response) == []
    assert [therapist.display_name for therapist in response.context["way_out"]["nearest"]] == [
        "In Potsdam",
        "In Hamburg",
    ]
    assert "1 therapist with Massage type: Deep tissue massage within 50 km" in content
    assert 'href="?city=Berlin&amp;radius_km=50&amp;modality=deep-tissue">widen to 50 km</a>' in content
    assert re.search(r"In Potsdam</a>, Potsdam, DE · <span class=\"distance\">2\d km away</span>", content)


# Bad input: a message on the page (400), never a 500, nothing changed


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("modality=levitation", "modality", "Select a valid choice."),
        ("need=flying", "need", "Select a valid choice."),
        ("language=xx", "language", "Select a valid choice."),
        ("accepting=yes", "accepting", "Select a valid choice."),
        ("radius_km=0&city=Berlin", "radius_km", "Ensure this value is greater than or equal to 1."),
        ("radius_km=501&city=Berlin", "radius_km", "Ensure this value is less than or equal to 500."),
        ("lat=52.5", "lon", "Give both lat and lon, or neither."),
        ("lon=13.4", "lat", "Give both lat and lon, or neither."),
        ("q=" + "a" * 10000, "q", "Ensure this value has at most 200 characters"),
        ("q=%21%3F%2E%2C+%2D%2D", "q", "Type a name, a massage type or another word"),
        ("q=masage&exact=yes", "exact", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_message_on_the_page_and_a_400_field_in_the_api(client, catalogue, query, field, message):
    therapist = TherapistFactory(modalities=[catalogue["deep"]])
    response = search(client, query)
    assert response.status_code == 400
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert message.split("“")[0] in response.content.decode()
    api = client.get(f"/api/v1/therapists/?{query}")
    assert api.status_code == 400
    assert field in api.json()
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED


def test_distance_sort_without_a_place_shows_results_by_score_with_a_note(client, catalogue):
    TherapistFactory(display_name="Anyone", modalities=[catalogue["deep"]])
    response = search(client, "sort=distance&radius_km=10")
    assert response.status_code == 200
    assert names(response) == ["Anyone"]
    assert "Sorting or filtering by distance needs a place" in response.content.decode()
    assert client.get("/api/v1/therapists/?sort=distance").status_code == 400


# Query budget: a search page with counts


@pytest.mark.parametrize(
    "query", ["", "city=Berlin&modality=deep-tissue", "q=sports&verified=1&language=de", "lat=52.5&lon=13.4&page=1"]
)
@pytest.mark.parametrize(("logged_in", "budget"), [(False, 6), (True, 8)])
def test_a_search_page_with_counts_stays_within_its_query_budget(
    client, catalogue, django_assert_max_num_queries, query, logged_in, budget
):
    for _ in range(25):
        TherapistFactory(modalities=[catalogue["deep"], catalogue["sports"]], languages=[catalogue["de"]], **BERLIN)
    if logged_in:
        client.force_login(UserFactory())
    with django_assert_max_num_queries(budget):
        response = search(client, query)
    assert response.status_code == 200
    assert response.context["options"]["modality"]


def test_a_corrected_search_stays_within_a_small_budget(client, spelled, django_assert_max_num_queries):
    # Cold caches: choices, the empty count, the vocabulary, (PostgreSQL) similarity, then the page.
    with django_assert_max_num_queries(9):
        response = search(client, "q=masage")
    assert response.context["correction"]


# Pages, cards and the map


@pytest.mark.parametrize(
    ("number", "pages", "window"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (7, 40, [1, None, 5, 6, 7, 8, 9, None, 40]),
        (40, 40, [1, None, 38, 39, 40]),
        (3, 40, [1, 2, 3, 4, 5, None, 40]),
    ],
)
def test_the_page_window_shows_first_last_and_the_neighbours(number, pages, window):
    class Page:
        pass

    page, paginator = Page(), Page()
    paginator.num_pages = pages
    page.paginator, page.number = paginator, number
    assert page_window(page) == window


def test_numbered_pagination_links_first_previous_numbers_next_and_last(client):
    TherapistFactory.create_batch(61)
    content = search(client, "page=2").content.decode()
    assert 'aria-label="First page">« First</a>' in content
    assert 'href="?page=1" aria-label="Previous page"' in content
    assert 'aria-current="page" aria-label="Page 2, this page" href="?page=2"' in content
    assert 'href="?page=4" aria-label="Page 4"' in content
    assert 'href="?page=3" aria-label="Next page"' in content
    assert 'href="?page=4" aria-label="Last page, 4"' in content


def test_cards_show_the_price_range_and_the_initials_without_a_photo(client):
    TherapistFactory(display_name="Clara Weber", price_from=60, price_to=90, currency="EUR")
    content = search(client).content.decode()
    assert "60–90 EUR per session" in content
    assert '<span class="avatar avatar-initials" aria-hidden="true">CW</span>' in content


def test_the_map_gets_this_pages_markers_and_no_tile_server_in_tests(client):
    therapist = TherapistFactory(display_name="Clara </script> Weber", **BERLIN)
    response = search(client)
    content = response.content.decode()
    assert response.context["map_markers"] == [
        {
            "name": "Clara </script> Weber",
            "score": round(therapist.score),
            "url": therapist.get_absolute_url(),
            "lat": 52.52,
            "lon": 13.405,
        }
    ]
    assert '<script id="search-map-markers" type="application/json">' in content
    assert "Clara \\u003C/script\\u003E Weber" in content
    assert 'data-tile-url=""' in content
    assert 'class="search-map" id="search-map" aria-hidden="true"' in content
    assert "/static/vendor/leaflet/leaflet.js" in content


def test_a_configured_tile_server_reaches_the_page(client, settings):
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    TherapistFactory(**BERLIN)
    content = search(client).content.decode()
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in content
    assert 'data-tile-attribution="© OpenStreetMap contributors"' in content


def test_latitude_and_longitude_are_hidden_and_a_radius_select_is_shown(client):
    TherapistFactory(**BERLIN)
    content = search(client, "lat=52.52&lon=13.4&radius_km=60").content.decode()
    assert '<input type="hidden" name="lat" value="52.52" id="id_lat">' in content
    assert '<input type="hidden" name="lon" value="13.4" id="id_lon">' in content
    assert '<option value="60" selected>60 km</option>' in content
    assert '<option value="">25 km</option>' in content
    assert "Within 60 km of your location" in content
    assert "data-use-location hidden" in content
