"""Flagging a review at /reviews/<pk>/flag/."""

import pytest

from reviews.models import ReviewFlag
from tests.factories import ReviewFactory, ReviewFlagFactory, UserFactory
from tests.permissions import matrix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        {
            "anonymous": 302,
            "client": 302,
            "author": 403,
            "other_therapist": 302,
            "owner": 302,  # the reviewed therapist may report a review too
            "moderator": 302,
            "staff": 302,
        }
    ),
)
def test_flag_review_permissions(client, login_as, role, status):
    review = ReviewFactory()
    user = login_as(client, role, owner=review.therapist, review=review)
    response = client.post(f"/reviews/{review.pk}/flag/", {"reason": "offensive", "note": ""})
    assert response.status_code == status
    flagged = role not in {"anonymous", "author"}
    assert ReviewFlag.objects.filter(review=review).exists() == flagged
    if flagged:
        flag = ReviewFlag.objects.get()
        assert (flag.user, flag.reason, flag.resolution) == (user, "offensive", "open")


def test_flag_redirects_to_the_review_and_keeps_it_visible(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    response = client.post(f"/reviews/{review.pk}/flag/", {"reason": "fake"})
    assert response["Location"] == f"/therapists/{review.therapist.slug}/#review-{review.pk}"
    review.refresh_from_db()
    assert review.is_published


def test_second_flag_by_same_user_saves_nothing_and_says_so(client, client_user):
    review = ReviewFactory()
    ReviewFlagFactory(review=review, user=client_user, reason="offensive")
    client.force_login(client_user)
    response = client.post(f"/reviews/{review.pk}/flag/", {"reason": "fake"}, follow=True)
    assert "You have already flagged this review" in response.content.decode()
    assert ReviewFlag.objects.get().reason == "offensive"


def test_other_reason_needs_a_note(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    response = client.post(f"/reviews/{review.pk}/flag/", {"reason": "other", "note": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"note": ["Please say what is wrong when you choose “Other”."]}
    assert not ReviewFlag.objects.exists()


def test_other_reason_with_a_note_is_saved(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    client.post(f"/reviews/{review.pk}/flag/", {"reason": "other", "note": "Written by the therapist's partner."})
    assert ReviewFlag.objects.get().note == "Written by the therapist's partner."


def test_unknown_reason_is_a_field_error(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    response = client.post(f"/reviews/{review.pk}/flag/", {"reason": "boring"})
    assert list(response.context["form"].errors) == ["reason"]
    assert not ReviewFlag.objects.exists()


def test_hidden_review_cannot_be_flagged(client, client_user):
    review = ReviewFactory(hidden=True)
    client.force_login(client_user)
    assert client.post(f"/reviews/{review.pk}/flag/", {"reason": "fake"}).status_code == 404
    assert not ReviewFlag.objects.exists()


def test_flag_page_shows_the_review_and_the_reasons(client, client_user):
    review = ReviewFactory(title="Best massage ever")
    client.force_login(client_user)
    page = client.get(f"/reviews/{review.pk}/flag/").content.decode()
    assert "Best massage ever" in page
    for _, label in ReviewFlag.Reason.choices:
        assert label in page


def test_flagging_is_rate_limited(client, settings):
    settings.REVIEW_RATE_LIMIT = "1/h"
    first, second = ReviewFactory(), ReviewFactory()
    client.force_login(UserFactory())
    client.post(f"/reviews/{first.pk}/flag/", {"reason": "fake"})
    response = client.post(f"/reviews/{second.pk}/flag/", {"reason": "fake"})
    assert response.status_code == 429
    assert ReviewFlag.objects.count() == 1


def test_empty_post_shows_the_missing_reason(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    response = client.post(f"/reviews/{review.pk}/flag/", {})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert not ReviewFlag.objects.exists()
