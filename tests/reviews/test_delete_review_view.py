"""Deleting one's own review at /therapists/<slug>/review/delete/."""

import pytest

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
def test_delete_review_permissions(client, login_as, role, status):
    review = ReviewFactory()
    login_as(client, role, owner=review.therapist, review=review)
    response = client.post(f"/therapists/{review.therapist.slug}/review/delete/")
    assert response.status_code == status
    assert Review.objects.filter(pk=review.pk).exists() == (role != "author")


def test_deleting_own_review_updates_the_score(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=5)
    review = ReviewFactory(therapist=therapist, rating=1)
    recompute_score(therapist_id=therapist.pk)
    client.force_login(review.author)
    response = client.post(f"/therapists/{therapist.slug}/review/delete/", follow=True)
    assert f"Your review of {therapist.display_name} is deleted." in response.content.decode()
    therapist.refresh_from_db()
    assert (therapist.review_count, therapist.rating_avg) == (1, 5.0)


def test_delete_needs_post(client):
    review = ReviewFactory()
    client.force_login(review.author)
    assert client.get(f"/therapists/{review.therapist.slug}/review/delete/").status_code == 405
    assert Review.objects.filter(pk=review.pk).exists()
