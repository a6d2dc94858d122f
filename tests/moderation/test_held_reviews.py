"""The moderators' held-reviews queue: account ages, reviewer overlap, one decision per review."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation import services
from moderation.models import Decision
from reviews.models import Review
from tests.factories import ReviewFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def held_burst(therapist, count=3, joined_days_ago=2):
    authors = UserFactory.create_batch(count, date_joined=timezone.now() - timedelta(days=joined_days_ago))
    return [ReviewFactory(therapist=therapist, author=author, held=True) for author in authors]


def test_the_queue_shows_account_ages_and_the_reviewers_other_common_therapist(moderator_client):
    therapist = TherapistFactory(display_name="Target Studio")
    burst = held_burst(therapist, joined_days_ago=3)
    other = TherapistFactory(display_name="Elsewhere Spa")
    for review in burst[:2]:
        ReviewFactory(therapist=other, author=review.author)
    page = moderator_client.get("/moderation/reviews/held/").content.decode()
    assert "Target Studio" in page and "3 held" in page
    assert "3 days" in page
    assert "2 of these reviewers also reviewed <strong>Elsewhere Spa</strong>" in page


def test_publishing_a_held_review_makes_it_count_and_is_logged(moderator, moderator_client):
    therapist = TherapistFactory()
    review = held_burst(therapist)[0]
    response = moderator_client.post(f"/moderation/reviews/{review.pk}/held/publish/", follow=True)
    assert "now counts toward the therapist" in response.content.decode()
    review.refresh_from_db()
    therapist.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED and therapist.review_count == 1
    decision = Decision.objects.get(action=Decision.Action.RELEASE_REVIEW)
    assert decision.actor == moderator


def test_hiding_a_held_review_needs_a_reason(moderator_client):
    review = held_burst(TherapistFactory())[0]
    response = moderator_client.post(f"/moderation/reviews/{review.pk}/held/hide/", {"hide-reason": " "}, follow=True)
    assert "Give a reason" in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.HELD
    assert not Decision.objects.exists()


def test_deciding_twice_says_already_decided_and_changes_nothing(moderator_client):
    review = held_burst(TherapistFactory())[0]
    moderator_client.post(f"/moderation/reviews/{review.pk}/held/hide/", {"hide-reason": "Copied text."})
    response = moderator_client.post(f"/moderation/reviews/{review.pk}/held/publish/", follow=True)
    assert "already decided" in response.content.decode()
    review.refresh_from_db()
    assert (review.status, review.hidden_reason) == (Review.Status.HIDDEN, "Copied text.")
    assert Decision.objects.count() == 1


def test_the_service_refuses_a_review_that_is_not_held(moderator):
    review = ReviewFactory()
    with pytest.raises(ValidationError, match="already decided"):
        services.decide_held_review(review=review, moderator=moderator, publish=True)
