"""Any combination of search parameters, on the HTML page and the API: a page or a 400, never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import ModalityFactory, ReviewFactory, TherapistFactory
from tests.fuzz import assert_no_server_error, field_value, fuzz_settings
from therapists.models import Therapist

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q", "city", "lat", "lon", "radius_km", "modality", "need", "verified", "min_rating", "min_years",
    "language", "accepting", "max_price", "sort", "page",
]
query = st.dictionaries(
    st.sampled_from(PARAMETERS),
    st.one_of(field_value, st.sampled_from(["1", "score", "rating", "distance", "Berlin", "Paris, FR", "de"]),
              st.lists(field_value, max_size=3)),
    max_size=8,
)


@pytest.fixture
def listing(db):
    therapist = TherapistFactory(city="Berlin", country="DE", latitude=52.52, longitude=13.4)
    therapist.modalities.add(ModalityFactory(slug="sports"))
    ReviewFactory(therapist=therapist)
    return therapist


def snapshot():
    return list(Therapist.objects.order_by("pk").values_list("pk", "score", "review_count", "status"))


@fuzz_settings
@given(params=query)
def test_any_search_on_the_html_page_answers_a_page_or_a_400(client, listing, params):
    before = snapshot()
    response = client.get("/therapists/", params)
    assert_no_server_error(response)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.context["form"].errors
    assert snapshot() == before


@fuzz_settings
@given(params=query)
def test_any_search_on_the_api_answers_results_a_400_or_a_404_page(client, listing, params):
    before = snapshot()
    response = client.get("/api/v1/therapists/", params)
    assert_no_server_error(response)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 404:
        assert "page" in params
    assert isinstance(response.json(), dict)
    assert snapshot() == before


@fuzz_settings
@given(slug=field_value, page=field_value)
def test_any_profile_slug_and_review_page_answers_a_page_or_a_404(client, listing, slug, page):
    response = client.get(f"/therapists/{listing.slug}/", {"page": page})
    assert_no_server_error(response)
    assert response.status_code == 200
    api = client.get("/api/v1/therapists/", {"q": slug})
    assert_no_server_error(api)
