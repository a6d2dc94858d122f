import pytest
from django.utils import timezone

from tests.factories import CredentialFactory, ModalityFactory, ReviewFactory, TherapistFactory, UserFactory
from therapists.models import Therapist
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "display_name": "Anna Schmidt",
        "headline": "Sports and deep tissue massage",
        "bio": "I ask about your health before every session.",
        "city": "Hamburg",
        "postcode": "20095",
        "country": "DE",
        "practising_since": timezone.localdate().year - 8,
        "modalities": [ModalityFactory(slug="swedish").pk],
        "price_from": 50,
        "price_to": 80,
        "currency": "eur",
        "accepts_new_clients": "on",
        "phone": "",
        "contact_email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_confirmed_user_creates_a_draft_profile_with_a_slug_from_the_name(client, client_user):
    client.force_login(client_user)

    response = client.post("/dashboard/profile/create/", {"display_name": "Anna Schmidt"})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/profile/"
    therapist = Therapist.objects.get(user=client_user)
    assert therapist.status == Therapist.Status.DRAFT
    assert therapist.slug == "anna-schmidt"
    assert len(therapist.score_breakdown) == 7


def test_a_taken_slug_gets_a_number(client, client_user):
    TherapistFactory(slug="anna-schmidt")
    client.force_login(client_user)

    client.post("/dashboard/profile/create/", {"display_name": "Anna Schmidt"})

    assert Therapist.objects.get(user=client_user).slug == "anna-schmidt-2"


def test_a_therapist_cannot_create_a_second_profile(client, therapist):
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/create/", {"display_name": "Second me"}, follow=True)

    assert "You already have a therapist profile." in response.content.decode()
    assert Therapist.objects.filter(user=therapist.user).count() == 1


def test_unconfirmed_user_cannot_create_a_profile(client):
    user = UserFactory(confirmed=False)
    client.force_login(user)

    response = client.post("/dashboard/profile/create/", {"display_name": "Anna Schmidt"}, follow=True)

    assert "Confirm your email address" in response.content.decode()
    assert not Therapist.objects.filter(user=user).exists()


def test_editing_the_profile_places_the_city_on_the_map_and_saves_relations(client):
    therapist = TherapistFactory(draft=True, city="", latitude=None, longitude=None)
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/", profile_data())

    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.city == "Hamburg"
    assert therapist.latitude == pytest.approx(53.55, abs=0.1)
    assert therapist.longitude == pytest.approx(10.0, abs=0.1)
    assert therapist.currency == "EUR"
    assert list(therapist.modalities.values_list("slug", flat=True)) == ["swedish"]


def test_an_unknown_city_is_a_field_error_and_changes_nothing(client):
    therapist = TherapistFactory(draft=True)
    before = Therapist.objects.filter(pk=therapist.pk).values().get()
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/", profile_data(city="Atlantisburg"))

    assert response.status_code == 200
    assert "We could not find this city in the chosen country." in response.content.decode()
    assert Therapist.objects.filter(pk=therapist.pk).values().get() == before


def test_lowest_price_above_highest_is_refused(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/", profile_data(price_from=100, price_to=50))

    assert response.status_code == 200
    assert "The highest price must be at least the lowest price." in response.content.decode()
    therapist.refresh_from_db()
    assert (therapist.price_from, therapist.price_to) == (60, 90)


def test_a_published_profile_cannot_lose_its_massage_types(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/", profile_data(modalities=[]))

    assert response.status_code == 200
    assert "A published profile needs at least one massage type." in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.modalities.count() == 1
    assert therapist.display_name != "Anna Schmidt"


def test_changing_the_start_year_updates_the_score(client):
    therapist = TherapistFactory(practising_since=timezone.localdate().year)
    recompute_score(therapist_id=therapist.pk)
    therapist.refresh_from_db()
    before = therapist.score
    client.force_login(therapist.user)

    client.post("/dashboard/profile/", profile_data(practising_since=timezone.localdate().year - 20))

    therapist.refresh_from_db()
    # Twenty self-declared years count as ten (no verified licence): 15 * ln(11) / ln(21) = 11.8.
    assert therapist.score == pytest.approx(before + 11.8)


def test_owner_publishes_a_complete_draft(client):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/publish/")

    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED


def test_an_incomplete_draft_cannot_be_published_and_says_what_is_missing(client):
    therapist = TherapistFactory(draft=True, practising_since=None, city="", latitude=None, longitude=None)
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/publish/", follow=True)

    assert "Before publishing, add a city with its location and the year you started practising." in (
        response.content.decode()
    )
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.DRAFT


def test_a_suspended_profile_cannot_be_published_and_shows_why(client):
    therapist = TherapistFactory(suspended=True)
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/publish/", follow=True)

    html = response.content.decode()
    assert "suspended by our moderators and cannot be published" in html
    assert "Repeated complaints." in html
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.SUSPENDED


def test_owner_unpublishes_back_to_draft(client, therapist):
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/unpublish/")

    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.DRAFT


def test_dashboard_home_offers_to_create_a_profile_to_a_user_without_one(client, client_user):
    client.force_login(client_user)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "Create my therapist profile" in response.content.decode()


def test_dashboard_home_gives_advice_for_each_missing_score_component(client):
    therapist = TherapistFactory()
    recompute_score(therapist_id=therapist.pk)
    client.force_login(therapist.user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Verify your licence: +20 points" in html
    assert "Verify one more certificate: +7.5 points" in html
    # Three good verified-visit reviews for a five-year therapist with none: the review components'
    # lower bounds at n = 3, all good: 3 / (3 + 1.645^2) = 0.5258 of 50 points = 26.3.
    assert "3 more good reviews from verified visits: about +26.3 points" in html


def test_a_verified_licence_is_no_longer_offered_as_a_next_step(client):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True)
    recompute_score(therapist_id=therapist.pk)
    client.force_login(therapist.user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Verify your licence" not in html
    assert "Verify one more certificate" in html


def test_dashboard_home_lists_the_latest_reviews_of_the_profile_only(client, therapist):
    ReviewFactory(therapist=therapist, title="Helped my shoulder")
    ReviewFactory(title="About somebody else")
    client.force_login(therapist.user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Helped my shoulder" in html
    assert "About somebody else" not in html


def test_dashboard_home_query_count_does_not_grow_with_reviews_and_credentials(
    client, therapist, django_assert_max_num_queries
):
    for _ in range(8):
        ReviewFactory(therapist=therapist)
        CredentialFactory(therapist=therapist)
    client.force_login(therapist.user)

    # The advice's what-ifs aggregate the score inputs (2 queries) and the history chart reads its
    # snapshots and events (4): fixed costs, whatever the number of reviews and credentials.
    with django_assert_max_num_queries(16):
        response = client.get("/dashboard/")

    assert response.status_code == 200
