"""Withdrawing one's own review at /therapists/<slug>/review/withdraw/ (ISO 20488: reviewers may withdraw)."""

import pytest

from moderation.models import Decision
from reviews import rules
from reviews.models import Review
from tests.factories import ReviewFactory, TherapistFactory
from tests.permissions import matrix
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        {
            "anonymous": 302,
            "client": 404,
            "author": 302,
            "other_therapist": 404,
            "owner": 404,
            "moderator": 404,
            "staff": 404,
        }
    ),
)
def test_withdraw_review_permissions(client, login_as, role, status):
    review = ReviewFactory()
    login_as(client, role, owner=review.therapist, review=review)
    response = client.post(f"/therapists/{review.therapist.slug}/review/withdraw/")
    assert response.status_code == status
    review.refresh_from_db()
    expected = Review.Status.WITHDRAWN if role == "author" else Review.Status.PUBLISHED
    assert review.status == expected


def test_withdrawing_hides_at_once_keeps_the_row_updates_the_score_and_is_logged(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=5)
    review = ReviewFactory(therapist=therapist, rating=1, title="Rushed and painful")
    recompute_score(therapist_id=therapist.pk)
    client.force_login(review.author)
    response = client.post(f"/therapists/{therapist.slug}/review/withdraw/", follow=True)
    page = response.content.decode()
    assert f"Your review of {therapist.display_name} is withdrawn" in page
    assert f"We keep it for {rules.RETENTION_MONTHS} months" in page
    assert "Rushed and painful" not in page
    review.refresh_from_db()
    assert review.status == Review.Status.WITHDRAWN
    assert review.hidden_reason == rules.WITHDRAWN_REASON and review.removed_at is not None
    assert review.body  # kept until the retention period ends
    therapist.refresh_from_db()
    assert (therapist.review_count, therapist.rating_avg) == (1, 5.0)
    decision = Decision.objects.get(action=Decision.Action.WITHDRAW_REVIEW)
    assert (decision.actor, decision.target_id) == (review.author, review.pk)


def test_withdrawing_twice_changes_nothing_the_second_time(client):
    review = ReviewFactory()
    client.force_login(review.author)
    client.post(f"/therapists/{review.therapist.slug}/review/withdraw/")
    response = client.post(f"/therapists/{review.therapist.slug}/review/withdraw/", follow=True)
    assert "nothing to withdraw" in response.content.decode()
    assert Decision.objects.filter(action=Decision.Action.WITHDRAW_REVIEW).count() == 1


def test_a_withdrawn_review_cannot_be_written_again(client):
    review = ReviewFactory(status=Review.Status.WITHDRAWN, removed_at="2026-01-01T00:00:00Z")
    client.force_login(review.author)
    response = client.get(f"/therapists/{review.therapist.slug}/review/")
    assert response.status_code == 403
    assert "You withdrew your review" in response.content.decode()


def test_withdraw_needs_post(client):
    review = ReviewFactory()
    client.force_login(review.author)
    assert client.get(f"/therapists/{review.therapist.slug}/review/withdraw/").status_code == 405
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
