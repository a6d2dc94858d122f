"""Visitor pages are cached (directory/caching.py) but never outlive a change to what they show."""

import pytest
from django.core.management import call_command

from directory.lib.cache import invalidate_public_pages
from moderation import services as moderation
from reviews.services import reply_to_review
from tests.factories import ReviewFactory, TherapistFactory, UserFactory
from therapists.models import Therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_profile(client):
    therapist = TherapistFactory(slug="clara-weber")
    review = ReviewFactory(therapist=therapist, title="Shared my phone number")
    first = client.get("/therapists/clara-weber/")
    assert first.status_code == 200 and "Shared my phone number" in first.content.decode()
    return therapist, review


def test_a_suspended_profile_answers_404_to_visitors_at_once(
    client, cached_profile, django_capture_on_commit_callbacks
):
    therapist, _ = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        moderation.suspend_therapist(therapist=therapist, moderator=UserFactory(moderator=True), reason="Fake profile")

    assert client.get("/therapists/clara-weber/").status_code == 404
    assert "clara-weber" not in client.get("/therapists/").content.decode()


def test_a_hidden_review_disappears_from_the_visitor_page_at_once(
    client, cached_profile, django_capture_on_commit_callbacks
):
    _, review = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_review(review=review, moderator=UserFactory(moderator=True), reason="Private information")

    assert "Shared my phone number" not in client.get("/therapists/clara-weber/").content.decode()


def test_a_reply_shows_to_visitors_at_once(client, cached_profile, django_capture_on_commit_callbacks):
    therapist, review = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_review(review=review, user=therapist.user, body="Thank you, I removed it.")

    assert "Thank you, I removed it." in client.get("/therapists/clara-weber/").content.decode()


def test_a_set_wise_recompute_refreshes_visitor_pages(client, cached_profile):
    therapist, _ = cached_profile
    Therapist.objects.filter(pk=therapist.pk).update(score=1)  # drift, as a bug or a manual fix would
    invalidate_public_pages()
    assert "<strong>1</strong>/100" in client.get("/therapists/clara-weber/").content.decode()  # now cached

    call_command("recompute_scores")

    assert "<strong>1</strong>/100" not in client.get("/therapists/clara-weber/").content.decode()


def test_without_a_change_the_visitor_page_is_served_from_the_cache(client, cached_profile, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/therapists/clara-weber/").status_code == 200
