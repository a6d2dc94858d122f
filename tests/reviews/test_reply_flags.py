"""Reporting a therapist's reply at /reviews/<pk>/reply/flag/, from the profile page (issue 17)."""

import re

import pytest
from django.utils import timezone

from reviews.models import REPLY_FLAG_REASONS, ReviewReply, ReviewReplyFlag
from tests.factories import ReviewFactory, ReviewReplyFactory, ReviewReplyFlagFactory, TherapistFactory, UserFactory
from tests.permissions import matrix

pytestmark = pytest.mark.django_db


def flag_url(reply) -> str:
    return f"/reviews/{reply.review_id}/reply/flag/"


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        {
            "anonymous": 302,  # to the login page
            "client": 302,
            "author": 302,  # the reviewer, whose privacy the reply rule protects, most of all
            "other_therapist": 302,
            "owner": 403,  # the therapist who wrote the reply edits it instead
            "moderator": 302,
            "owner_moderator": 403,
            "staff": 302,
        }
    ),
)
def test_flag_reply_permissions(client, login_as, role, status):
    reply = ReviewReplyFactory()
    user = login_as(client, role, owner=reply.review.therapist, review=reply.review)
    response = client.post(flag_url(reply), {"reason": "private", "note": ""})
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    flagged = role not in {"anonymous", "owner", "owner_moderator"}
    assert ReviewReplyFlag.objects.exists() == flagged
    if flagged:
        flag = ReviewReplyFlag.objects.get()
        assert (flag.reply, flag.user, flag.reason, flag.resolution) == (reply, user, "private", "open")
    reply.refresh_from_db()
    assert reply.status == "published"


def test_an_inactive_account_is_sent_to_log_in_and_flags_nothing(client):
    reply = ReviewReplyFactory()
    client.force_login(UserFactory(is_active=False))
    response = client.post(flag_url(reply), {"reason": "private"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not ReviewReplyFlag.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: ReviewReplyFactory(review=ReviewFactory(therapist=TherapistFactory(suspended=True))),
            id="suspended-profile",
        ),
        pytest.param(
            lambda: ReviewReplyFactory(status="hidden", hidden_reason="x", removed_at=timezone.now()), id="hidden-reply"
        ),
        pytest.param(lambda: ReviewReplyFactory(review=ReviewFactory(held=True)), id="held-review"),
        pytest.param(lambda: ReviewReplyFactory(review=ReviewFactory(hidden=True)), id="hidden-review"),
    ],
)
def test_a_reply_visitors_cannot_see_cannot_be_flagged(client, client_user, make):
    reply = make()
    client.force_login(client_user)
    assert client.post(flag_url(reply), {"reason": "private"}).status_code == 404
    assert client.get(flag_url(reply)).status_code == 404
    assert not ReviewReplyFlag.objects.exists()


def test_a_review_without_a_reply_has_nothing_to_flag(client, client_user):
    review = ReviewFactory()
    client.force_login(client_user)
    assert client.post(f"/reviews/{review.pk}/reply/flag/", {"reason": "private"}).status_code == 404


def test_the_report_form_sits_under_the_reply_on_the_profile_and_posts_with_a_token(client, client_user):
    reply = ReviewReplyFactory(body="Your sciatica should ease now.")
    client.force_login(client_user)
    page = client.get(reply.review.therapist.get_absolute_url()).content.decode()
    reply_block = page[page.index(f'id="reply-{reply.review_id}"') :]
    form = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"', reply_block
    )
    assert form and form.group(1) == flag_url(reply)
    response = client.post(form.group(1), {"reason": "private", "note": "Names my condition."})
    assert response.status_code == 302
    assert response["Location"] == f"{reply.review.therapist.get_absolute_url()}#review-{reply.review_id}"
    flag = ReviewReplyFlag.objects.get()
    assert (flag.reply_id, flag.user, flag.reason, flag.note) == (
        reply.pk,
        client_user,
        "private",
        "Names my condition.",
    )
    # Reported, not judged: it stays until a moderator decides.
    assert "Your sciatica should ease now." in client.get(reply.review.therapist.get_absolute_url()).content.decode()


def test_the_reply_author_gets_no_report_form_and_a_moderator_a_moderation_link(client):
    reply = ReviewReplyFactory()
    profile = reply.review.therapist.get_absolute_url()
    client.force_login(reply.author)
    assert flag_url(reply) not in client.get(profile).content.decode()
    client.force_login(UserFactory(moderator=True))
    page = client.get(profile).content.decode()
    assert flag_url(reply) not in page
    assert f'href="/moderation/replies/{reply.pk}/"' in page


def test_visitors_see_no_report_form(client):
    reply = ReviewReplyFactory()
    assert flag_url(reply) not in client.get(reply.review.therapist.get_absolute_url()).content.decode()


def test_the_report_forms_reasons_are_the_reply_flag_reasons(client, client_user):
    reply = ReviewReplyFactory()
    client.force_login(client_user)
    page = client.get(reply.review.therapist.get_absolute_url()).content.decode()
    select = re.search(rf'<select id="reply-flag-reason-{reply.review_id}".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)">([^<]+)</option>', select) == [
        (reason.value, reason.label) for reason in REPLY_FLAG_REASONS
    ]


def test_the_report_page_shows_the_reply_and_its_form(client, client_user):
    reply = ReviewReplyFactory(body="Thanks for visiting.")
    client.force_login(client_user)
    response = client.get(flag_url(reply))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Thanks for visiting." in content and "What is wrong with this reply?" in content
    assert "Fake or conflict of interest" not in content


def test_a_second_flag_by_the_same_user_saves_nothing_and_says_so(client, client_user):
    reply = ReviewReplyFactory()
    ReviewReplyFlagFactory(reply=reply, user=client_user, reason="offensive")
    client.force_login(client_user)
    response = client.post(flag_url(reply), {"reason": "private"}, follow=True)
    assert "You have already flagged this reply" in response.content.decode()
    assert list(ReviewReplyFlag.objects.values_list("reason", flat=True)) == ["offensive"]


def test_other_needs_a_note(client, client_user):
    reply = ReviewReplyFactory()
    client.force_login(client_user)
    response = client.post(flag_url(reply), {"reason": "other", "note": "  "})
    assert response.status_code == 200
    assert "Please say what is wrong" in response.content.decode()
    assert not ReviewReplyFlag.objects.exists()


@pytest.mark.parametrize("reason", ["fake", "wrong_therapist", "nonsense", ""])
def test_a_reason_that_does_not_apply_to_replies_is_refused(client, client_user, reason):
    reply = ReviewReplyFactory()
    client.force_login(client_user)
    response = client.post(flag_url(reply), {"reason": reason})
    assert response.status_code == 200
    assert not ReviewReplyFlag.objects.exists()


def test_get_does_not_flag(client, client_user):
    reply = ReviewReplyFactory()
    client.force_login(client_user)
    client.get(flag_url(reply) + "?reason=private")
    assert not ReviewReplyFlag.objects.exists()
    assert ReviewReply.objects.get().status == "published"
