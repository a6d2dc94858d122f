"""The reviewed therapist's one public reply at /reviews/<pk>/reply/."""

import pytest

from reviews.models import ReviewReply
from tests.factories import ReviewFactory, ReviewReplyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("client", 404),
        ("other_therapist", 404),
        ("owner", 302),
        ("moderator", 404),
        ("author", 404),
    ],
)
def test_reply_permissions(client, login_as, role, status):
    review = ReviewFactory()
    if role == "author":
        client.force_login(review.author)
    else:
        login_as(client, role, owner=review.therapist)
    response = client.post(f"/reviews/{review.pk}/reply/", {"body": "Thank you for coming."})
    assert response.status_code == status
    assert ReviewReply.objects.filter(review=review).exists() == (role == "owner")


def test_therapist_publishes_a_reply(client):
    review = ReviewFactory()
    client.force_login(review.therapist.user)
    response = client.post(f"/reviews/{review.pk}/reply/", {"body": "Glad the stretches help."}, follow=True)
    assert "Your reply is published." in response.content.decode()
    reply = ReviewReply.objects.get()
    assert (reply.review, reply.author, reply.body) == (review, review.therapist.user, "Glad the stretches help.")


def test_second_reply_edits_the_first(client):
    reply = ReviewReplyFactory(body="First words.")
    client.force_login(reply.review.therapist.user)
    page = client.get(f"/reviews/{reply.review.pk}/reply/").content.decode()
    assert "First words." in page and "Edit your reply" in page
    client.post(f"/reviews/{reply.review.pk}/reply/", {"body": "Better words."})
    reply.refresh_from_db()
    assert ReviewReply.objects.count() == 1
    assert reply.body == "Better words."


def test_empty_reply_is_a_field_error(client):
    review = ReviewFactory()
    client.force_login(review.therapist.user)
    response = client.post(f"/reviews/{review.pk}/reply/", {"body": ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["body"]
    assert not ReviewReply.objects.exists()


def test_reply_longer_than_three_thousand_characters_is_refused(client):
    review = ReviewFactory()
    client.force_login(review.therapist.user)
    response = client.post(f"/reviews/{review.pk}/reply/", {"body": "x" * 3001})
    assert list(response.context["form"].errors) == ["body"]
    assert not ReviewReply.objects.exists()


def test_the_reply_form_warns_not_to_disclose_the_clients_health_or_visit(client):
    review = ReviewFactory()
    client.force_login(review.therapist.user)
    content = client.get(f"/reviews/{review.pk}/reply/").content.decode()
    assert "Do not disclose anything about the client’s health or visit beyond what the review says" in content
    # Read out with the text box: the warning is the field's first description.
    assert 'aria-describedby="reply-rule id_body_helptext"' in content
    assert 'id="reply-rule"' in content
