"""Result cards are cached by their content (therapists/templatetags/cards.py): never stale, rendered once."""

import pytest
from django.core.cache import cache

from tests.factories import ModalityFactory, TherapistFactory, UserFactory
from therapists.models import Therapist
from therapists.templatetags.cards import card_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    """Logged-in pages are never page-cached, so each request renders the listing again."""
    client.force_login(UserFactory())
    return client


def test_a_listed_card_is_stored_under_its_content_key(logged_in):
    therapist = TherapistFactory(display_name="Clara Weber")
    logged_in.get("/therapists/")
    listed = Therapist.objects.for_listing().get(pk=therapist.pk)
    assert "Clara Weber" in cache.get(card_key(listed))


def test_a_stored_card_is_what_the_next_listing_shows(logged_in):
    therapist = TherapistFactory(display_name="Clara Weber")
    logged_in.get("/therapists/")
    listed = Therapist.objects.for_listing().get(pk=therapist.pk)
    cache.set(card_key(listed), "<article>from the card cache</article>")
    assert "from the card cache" in logged_in.get("/therapists/").content.decode()


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"score": 87}, '<strong>87</strong><span class="muted">/100</span>'),
        ({"review_count": 12, "rating_avg": 4.25}, "· 12 reviews"),
        ({"headline": "Now in Mitte"}, '<p class="muted card-headline">Now in Mitte</p>'),
        ({"has_verified_licence": True}, '<span class="status status-verified">Verified licence</span>'),
    ],
    ids=["score", "reviews", "headline", "verified"],
)
def test_a_card_changes_with_what_it_shows(logged_in, change, shown):
    therapist = TherapistFactory(display_name="Clara Weber", score=40, headline="Deep tissue")
    assert shown not in logged_in.get("/therapists/").content.decode()  # the card is now cached
    Therapist.objects.filter(pk=therapist.pk).update(**change)
    assert shown in logged_in.get("/therapists/").content.decode()


def test_a_new_massage_type_changes_the_card(logged_in):
    therapist = TherapistFactory(display_name="Clara Weber")
    logged_in.get("/therapists/")
    therapist.modalities.add(ModalityFactory(slug="shiatsu", name="Shiatsu"))
    assert "Shiatsu" in logged_in.get("/therapists/").content.decode()
