"""Moderators hide, restore and keep therapists' replies; each decision is logged with its reason (issue 17)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation import services
from moderation.models import Decision
from outbox.models import Email
from reviews import rules
from reviews.models import ReviewReply, ReviewReplyFlag
from reviews.services import erase_expired_reviews, reply_to_review
from tests.factories import ReviewReplyFactory, ReviewReplyFlagFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

SECRET = "as discussed, your herniated disc"


@pytest.fixture
def reply():
    reply = ReviewReplyFactory(body=f"Thank you; {SECRET} needs rest.")
    ReviewReplyFlagFactory(reply=reply, reason="private")
    ReviewReplyFlagFactory(reply=reply, reason="private")
    ReviewReplyFlagFactory(reply=reply, reason="offensive")
    return reply


def decisions(reply):
    return list(
        Decision.objects.filter(target_type="reviews.reviewreply", target_id=reply.pk)
        .order_by("pk")
        .values_list("action", "reason")
    )


def test_a_moderator_hides_a_flagged_reply_with_a_reason(client, moderator, reply):
    client.force_login(moderator)
    response = client.post(f"/moderation/replies/{reply.pk}/hide/", {"hide-reason": "Names the client's condition."})
    assert response.status_code == 302 and response["Location"] == "/moderation/reviews/"
    reply.refresh_from_db()
    assert (reply.status, reply.hidden_reason) == ("hidden", "Names the client's condition.")
    assert reply.removed_at is not None
    assert set(ReviewReplyFlag.objects.values_list("resolution", flat=True)) == {"upheld"}
    decision = Decision.objects.get(action=Decision.Action.HIDE_REPLY)
    assert (decision.actor, decision.reason) == (moderator, "Names the client's condition.")
    assert decision.before == {"status": "published", "open_flags": 3}
    assert decision.after == {"status": "hidden", "open_flags": 0, "criterion": "private"}
    email = Email.objects.get(kind="moderation.reply_hidden_therapist")
    assert email.to == reply.author.email and "Names the client's condition." in email.body


def test_a_hidden_reply_leaves_the_profile_and_the_api_and_the_review_stays(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=moderator, reason="Private information.")
    therapist = reply.review.therapist
    page = client.get(therapist.get_absolute_url()).content.decode()
    assert SECRET not in page and reply.review.title in page
    results = client.get(f"/api/v1/therapists/{therapist.slug}/reviews/").json()["results"]
    assert [(row["title"], row["reply"]) for row in results] == [(reply.review.title, None)]
    assert SECRET not in client.get(f"/api/v1/therapists/{therapist.slug}/reviews/").content.decode()


def test_hiding_needs_a_reason_and_changes_nothing_without_one(client, moderator, reply):
    client.force_login(moderator)
    response = client.post(f"/moderation/replies/{reply.pk}/hide/", {"hide-reason": "  "})
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    reply.refresh_from_db()
    assert reply.status == "published"
    assert decisions(reply) == []
    assert set(ReviewReplyFlag.objects.values_list("resolution", flat=True)) == {"open"}


def test_a_second_hide_is_refused_and_logged_once(client, moderator, reply):
    client.force_login(moderator)
    client.post(f"/moderation/replies/{reply.pk}/hide/", {"hide-reason": "First."})
    response = client.post(f"/moderation/replies/{reply.pk}/hide/", {"hide-reason": "Second."})
    assert response.status_code == 200
    assert "no longer published: another moderator hid it" in response.content.decode()
    reply.refresh_from_db()
    assert reply.hidden_reason == "First."
    assert decisions(reply) == [("hide_reply", "First.")]


def test_a_moderator_restores_a_hidden_reply_with_a_reason(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=UserFactory(moderator=True), reason="Looked private.")
    client.force_login(moderator)
    response = client.post(f"/moderation/replies/{reply.pk}/restore/", {"restore-reason": "The review says it."})
    assert response.status_code == 302 and response["Location"] == "/moderation/reviews/hidden/"
    reply.refresh_from_db()
    assert (reply.status, reply.hidden_reason, reply.removed_at) == ("published", "", None)
    restore = Decision.objects.get(action=Decision.Action.RESTORE_REPLY)
    assert (restore.actor, restore.reason) == (moderator, "The review says it.")
    assert restore.before == {"status": "hidden", "hidden_reason": "Looked private."}
    assert SECRET in client.get(reply.review.therapist.get_absolute_url()).content.decode()


def test_restoring_needs_a_reason(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=UserFactory(moderator=True), reason="Looked private.")
    client.force_login(moderator)
    response = client.post(f"/moderation/replies/{reply.pk}/restore/", {"restore-reason": ""})
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.status == "hidden"
    assert [action for action, _ in decisions(reply)] == ["hide_reply"]


def test_restoring_a_published_reply_is_refused(moderator, reply):
    with pytest.raises(ValidationError, match="no longer hidden"):
        services.restore_reply(reply=reply, moderator=moderator, reason="Why not.")
    assert decisions(reply) == []


def test_dismissing_the_flags_keeps_the_reply(client, moderator, reply):
    client.force_login(moderator)
    response = client.post(f"/moderation/replies/{reply.pk}/dismiss-flags/", {"dismiss-reason": "Says nothing new."})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == "published"
    assert set(ReviewReplyFlag.objects.values_list("resolution", flat=True)) == {"dismissed"}
    assert decisions(reply) == [("dismiss_flags", "Says nothing new.")]
    response = client.post(f"/moderation/replies/{reply.pk}/dismiss-flags/", {})
    assert "no open flags" in response.content.decode()
    assert len(decisions(reply)) == 1


def test_the_flagged_queue_lists_flagged_replies_beside_flagged_reviews(client, moderator, reply):
    client.force_login(moderator)
    response = client.get("/moderation/reviews/")
    content = response.content.decode()
    assert "Flagged replies" in content and "Flagged reviews" in content
    assert f'href="/moderation/replies/{reply.pk}/"' in content
    assert SECRET in content
    assert [row.open_flag_count for row in response.context["replies"]] == [3]
    assert f'action="/moderation/replies/{reply.pk}/hide/"' in content


def test_a_dealt_with_reply_leaves_the_queue(client, moderator, reply):
    services.dismiss_reply_flags(reply=reply, moderator=moderator)
    client.force_login(moderator)
    assert list(client.get("/moderation/reviews/").context["replies"]) == []


def test_the_reviewer_who_is_a_moderator_cannot_decide_on_the_reply_to_their_review(client, reply):
    reviewer = reply.review.author
    make_moderator(reviewer)
    client.force_login(reviewer)
    response = client.post(f"/moderation/replies/{reply.pk}/hide/", {"hide-reason": "I don't like it."})
    assert "This reply answers your review: another moderator decides on it." in response.content.decode()
    reply.refresh_from_db()
    assert reply.status == "published"
    assert f"/moderation/replies/{reply.pk}/" not in client.get("/moderation/reviews/").content.decode()


def test_the_moderation_home_counts_flagged_and_hidden_replies(client, moderator, reply):
    ReviewReplyFactory(status="hidden", hidden_reason="x", removed_at=timezone.now())
    client.force_login(moderator)
    counts = client.get("/moderation/").context["counts"]
    assert (counts["flagged_replies"], counts["hidden_replies"]) == (1, 1)


def test_the_hidden_reviews_page_lists_hidden_replies(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=UserFactory(moderator=True), reason="Private.")
    client.force_login(moderator)
    content = client.get("/moderation/reviews/hidden/").content.decode()
    assert "Hidden replies" in content and f'href="/moderation/replies/{reply.pk}/"' in content


def test_the_reply_page_shows_the_review_the_flags_and_the_history(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=UserFactory(moderator=True), reason="Private.")
    client.force_login(moderator)
    content = client.get(f"/moderation/replies/{reply.pk}/").content.decode()
    assert reply.review.title in content and SECRET in content
    assert "Hid a reply" in content and "Restore the reply" in content


def test_a_hidden_reply_cannot_be_edited_by_the_therapist(client, moderator, reply):
    services.hide_reply(reply=reply, moderator=moderator, reason="Private.")
    client.force_login(reply.author)
    assert client.get(f"/reviews/{reply.review_id}/reply/").status_code == 403
    response = client.post(f"/reviews/{reply.review_id}/reply/", {"body": "Same words again."})
    assert response.status_code == 403
    reply.refresh_from_db()
    assert (reply.status, SECRET in reply.body) == ("hidden", True)
    with pytest.raises(ValidationError, match="hid your reply"):
        reply_to_review(review=reply.review, user=reply.author, body="Sneaky.")
    page = client.get(reply.review.therapist.get_absolute_url()).content.decode()
    assert "A moderator hid your reply to this review: “Private.”" in page


def test_a_hidden_reply_is_erased_after_the_retention_period_and_cannot_come_back(moderator, reply):
    services.hide_reply(reply=reply, moderator=moderator, reason="Private.")
    erase_expired_reviews(now=timezone.now() + rules.RETENTION - timedelta(days=1))
    reply.refresh_from_db()
    assert SECRET in reply.body and reply.text_erased_at is None
    later = timezone.now() + rules.RETENTION + timedelta(days=1)
    erase_expired_reviews(now=later)
    reply.refresh_from_db()
    assert (reply.body, reply.text_erased_at) == ("", later)
    with pytest.raises(ValidationError, match="no longer hidden"):
        services.restore_reply(reply=reply, moderator=UserFactory(moderator=True), reason="Appeal.")
    assert ReviewReply.objects.get().status == "hidden"
