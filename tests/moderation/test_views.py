"""The moderation pages: queues, filters, decision forms, their messages and refusals."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from moderation.models import Decision
from reviews.models import Review, ReviewFlag
from tests.factories import (
    CredentialFactory,
    DecisionFactory,
    EmailFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    ReviewReplyFlagFactory,
    TherapistFactory,
    UserFactory,
)
from therapists.models import Credential, Therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# Overview


def test_overview_counts_each_queue(moderator_client):
    CredentialFactory.create_batch(2)
    CredentialFactory(verified=True)
    review = ReviewFactory()
    ReviewFlagFactory.create_batch(2, review=review)
    ReviewFactory(hidden=True)
    ReviewFactory(held=True)
    TherapistFactory(suspended=True)
    EmailFactory.create_batch(2, failed=True)
    EmailFactory(sent=True)
    ReviewReplyFlagFactory.create_batch(2, reply=ReviewReplyFactory())
    ReviewReplyFactory(status="hidden", hidden_reason="Names a diagnosis.", removed_at=review.created_at)
    response = moderator_client.get("/moderation/")
    assert response.status_code == 200
    assert response.context["counts"] == {
        "pending_credentials": 2,
        "flagged_reviews": 1,
        "hidden_reviews": 1,
        "flagged_replies": 1,
        "hidden_replies": 1,
        "held_reviews": 1,
        "suspended_therapists": 1,
        "failed_emails": 2,
    }


def test_navigation_shows_the_pending_count_to_moderators(moderator_client):
    CredentialFactory.create_batch(3)
    response = moderator_client.get("/moderation/")
    assert 'aria-label="3 pending"' in response.content.decode()


# Credential queue


def test_credential_queue_lists_pending_credentials_oldest_first(moderator_client):
    now = timezone.now()
    newer = CredentialFactory(submitted_at=now - timedelta(days=1))
    older = CredentialFactory(submitted_at=now - timedelta(days=9))
    CredentialFactory(verified=True)
    response = moderator_client.get("/moderation/credentials/")
    assert list(response.context["page"].object_list) == [older, newer]
    content = response.content.decode()
    assert older.number in content
    assert older.issuer in content
    assert older.therapist.display_name in content


def test_credential_queue_filters_by_kind(moderator_client):
    licence = CredentialFactory()
    CredentialFactory(certificate=True)
    response = moderator_client.get("/moderation/credentials/", {"kind": "licence"})
    assert list(response.context["page"].object_list) == [licence]


def test_credential_queue_filters_by_age_in_days(moderator_client):
    now = timezone.now()
    old = CredentialFactory(submitted_at=now - timedelta(days=10))
    CredentialFactory(submitted_at=now - timedelta(days=2))
    response = moderator_client.get("/moderation/credentials/", {"older_than": "7"})
    assert list(response.context["page"].object_list) == [old]


def test_credential_queue_ignores_a_nonsense_filter_and_shows_the_error(moderator_client):
    CredentialFactory()
    response = moderator_client.get("/moderation/credentials/", {"older_than": "soon", "kind": "diploma"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"older_than", "kind"}
    assert len(response.context["page"].object_list) == 1


def test_credential_queue_query_count_does_not_grow_with_rows(moderator_client, django_assert_max_num_queries):
    CredentialFactory.create_batch(20)
    with django_assert_max_num_queries(8):
        response = moderator_client.get("/moderation/credentials/")
    assert len(response.context["page"].object_list) == 20


def test_credential_detail_shows_details_and_decision_forms(moderator_client):
    credential = CredentialFactory(number="LIC-4711")
    response = moderator_client.get(f"/moderation/credentials/{credential.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "LIC-4711" in content
    assert f'action="/moderation/credentials/{credential.pk}/verify/"' in content
    assert f'action="/moderation/credentials/{credential.pk}/reject/"' in content


def test_credential_detail_of_a_missing_credential_is_404(moderator_client):
    assert moderator_client.get("/moderation/credentials/999999/").status_code == 404


# Credential decisions through the views


def test_verify_view_verifies_and_redirects_to_the_queue_with_a_message(moderator_client, moderator):
    credential = CredentialFactory()
    response = moderator_client.post(f"/moderation/credentials/{credential.pk}/verify/", follow=True)
    assert response.redirect_chain == [("/moderation/credentials/", 302)]
    assert any("Verified" in message for message in _messages(response))
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.decided_by == moderator


def test_verify_view_shows_an_expiry_before_issue_next_to_the_field(moderator_client):
    credential = CredentialFactory()
    response = moderator_client.post(
        f"/moderation/credentials/{credential.pk}/verify/",
        {"expires_on": (credential.issued_on - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "expiry date cannot be before the issue date" in response.context["verify_form"].errors["expires_on"][0]
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0


def test_reject_view_without_a_reason_shows_the_error_and_changes_nothing(moderator_client):
    credential = CredentialFactory()
    response = moderator_client.post(f"/moderation/credentials/{credential.pk}/reject/", {"reject-reason": " "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    assert 'class="errorlist"' in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0
    assert mail.outbox == []


def test_reject_view_stores_the_reason(moderator_client):
    credential = CredentialFactory()
    response = moderator_client.post(
        f"/moderation/credentials/{credential.pk}/reject/", {"reject-reason": "Name does not match."}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.status, credential.decision_reason) == (Credential.Status.REJECTED, "Name does not match.")


def test_decision_on_an_already_decided_credential_says_so_and_changes_nothing(moderator_client):
    credential = CredentialFactory(rejected=True)
    response = moderator_client.post(f"/moderation/credentials/{credential.pk}/verify/")
    assert response.status_code == 200
    assert "already decided" in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REJECTED
    assert Decision.objects.count() == 0


def test_revoke_view_withdraws_a_verified_credential(moderator_client):
    credential = CredentialFactory(verified=True)
    response = moderator_client.post(
        f"/moderation/credentials/{credential.pk}/revoke/", {"revoke-reason": "Issuer says it is void."}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REJECTED
    assert Decision.objects.get().action == Decision.Action.REVOKE_CREDENTIAL


@pytest.mark.parametrize("action", ["verify", "reject", "revoke"])
def test_decision_on_a_missing_credential_is_404(moderator_client, action):
    response = moderator_client.post(f"/moderation/credentials/999999/{action}/", {f"{action}-reason": "x"})
    assert response.status_code == 404
    assert Decision.objects.count() == 0


# Flag queue


def test_flag_queue_lists_reviews_with_open_flags_most_flagged_first(moderator_client):
    once = ReviewFactory()
    ReviewFlagFactory(review=once)
    thrice = ReviewFactory()
    ReviewFlagFactory.create_batch(3, review=thrice)
    settled = ReviewFactory()
    ReviewFlagFactory(review=settled, resolution=ReviewFlag.Resolution.DISMISSED)
    response = moderator_client.get("/moderation/reviews/")
    reviews = list(response.context["page"].object_list)
    assert reviews == [thrice, once]
    assert reviews[0].open_flag_count == 3


def test_flag_queue_shows_flag_reasons_and_notes(moderator_client):
    ReviewFlagFactory(reason=ReviewFlag.Reason.OTHER, note="Posted by the therapist's competitor.")
    content = moderator_client.get("/moderation/reviews/").content.decode()
    assert "Other" in content
    assert "Posted by the therapist&#x27;s competitor." in content


def test_flag_queue_query_count_does_not_grow_with_rows(moderator_client, django_assert_max_num_queries):
    for _ in range(10):
        ReviewFlagFactory.create_batch(2, review=ReviewFactory())
    with django_assert_max_num_queries(8):
        response = moderator_client.get("/moderation/reviews/")
    assert len(response.context["page"].object_list) == 10


def test_hide_view_hides_the_review_and_redirects_to_the_queue(moderator_client):
    flag = ReviewFlagFactory()
    response = moderator_client.post(f"/moderation/reviews/{flag.review_id}/hide/", {"hide-reason": "Insults."})
    assert response.status_code == 302
    assert response["Location"] == "/moderation/reviews/"
    flag.review.refresh_from_db()
    assert (flag.review.status, flag.review.hidden_reason) == (Review.Status.HIDDEN, "Insults.")


def test_hide_view_without_a_reason_shows_the_error_on_the_review_page(moderator_client):
    flag = ReviewFlagFactory()
    response = moderator_client.post(f"/moderation/reviews/{flag.review_id}/hide/", {"hide-reason": ""})
    assert response.status_code == 200
    assert response.context["hide_form"].errors["reason"]
    flag.review.refresh_from_db()
    flag.refresh_from_db()
    assert flag.review.status == Review.Status.PUBLISHED
    assert flag.resolution == ReviewFlag.Resolution.OPEN


def test_dismiss_view_dismisses_the_flags(moderator_client):
    flag = ReviewFlagFactory()
    response = moderator_client.post(f"/moderation/reviews/{flag.review_id}/dismiss-flags/")
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolution == ReviewFlag.Resolution.DISMISSED


def test_hidden_reviews_page_lists_hidden_reviews_with_restore(moderator_client):
    hidden = ReviewFactory(hidden=True)
    ReviewFactory()
    response = moderator_client.get("/moderation/reviews/hidden/")
    assert list(response.context["page"].object_list) == [hidden]
    assert f'action="/moderation/reviews/{hidden.pk}/restore/"' in response.content.decode()


def test_restore_view_publishes_the_review(moderator_client):
    hidden = ReviewFactory(hidden=True)
    response = moderator_client.post(f"/moderation/reviews/{hidden.pk}/restore/")
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.status == Review.Status.PUBLISHED


def test_restore_view_on_a_published_review_says_so(moderator_client):
    review = ReviewFactory()
    response = moderator_client.post(f"/moderation/reviews/{review.pk}/restore/")
    assert response.status_code == 200
    assert "no longer hidden" in response.content.decode()
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("path", ["", "hide/", "dismiss-flags/", "restore/"])
def test_review_urls_for_a_missing_review_are_404(moderator_client, path):
    method = moderator_client.get if path == "" else moderator_client.post
    assert method(f"/moderation/reviews/999999/{path}", {"hide-reason": "x"}).status_code == 404


# Profiles


def test_therapist_search_finds_by_name_or_slug(moderator_client):
    clara = TherapistFactory(display_name="Clara Weber", slug="clara-weber-berlin")
    TherapistFactory(display_name="Jonas Braun", slug="jonas")
    by_name = moderator_client.get("/moderation/therapists/", {"q": "clara"})
    by_slug = moderator_client.get("/moderation/therapists/", {"q": "weber-berlin"})
    assert list(by_name.context["page"].object_list) == [clara]
    assert list(by_slug.context["page"].object_list) == [clara]


def test_therapist_list_without_a_search_shows_suspended_profiles(moderator_client):
    suspended = TherapistFactory(suspended=True)
    TherapistFactory()
    response = moderator_client.get("/moderation/therapists/")
    assert list(response.context["page"].object_list) == [suspended]


def test_suspended_profile_disappears_from_its_url_and_search(moderator_client):
    therapist = TherapistFactory(display_name="Clara Weber")
    response = moderator_client.post(
        f"/moderation/therapists/{therapist.pk}/suspend/", {"suspend-reason": "Forged licence."}
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert (therapist.status, therapist.suspended_reason) == (Therapist.Status.SUSPENDED, "Forged licence.")
    visitor = Client()
    assert visitor.get(f"/therapists/{therapist.slug}/").status_code == 404
    assert "Clara Weber" not in visitor.get("/therapists/").content.decode()


def test_suspend_view_without_a_reason_shows_the_error(moderator_client):
    therapist = TherapistFactory()
    response = moderator_client.post(f"/moderation/therapists/{therapist.pk}/suspend/", {"suspend-reason": ""})
    assert response.status_code == 200
    assert response.context["suspend_form"].errors["reason"]
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED


def test_unsuspend_view_brings_the_profile_back(moderator_client):
    therapist = TherapistFactory(suspended=True)
    response = moderator_client.post(f"/moderation/therapists/{therapist.pk}/unsuspend/")
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED
    assert moderator_client.get(f"/therapists/{therapist.slug}/").status_code == 200


@pytest.mark.parametrize("path", ["", "suspend/", "unsuspend/"])
def test_profile_urls_for_a_missing_therapist_are_404(moderator_client, path):
    method = moderator_client.get if path == "" else moderator_client.post
    assert method(f"/moderation/therapists/999999/{path}", {"suspend-reason": "x"}).status_code == 404


# Decision log


def test_decision_log_filters_by_action_actor_and_date(moderator_client):
    alice = UserFactory(moderator=True)
    wanted = DecisionFactory(actor=alice, action=Decision.Action.HIDE_REVIEW)
    DecisionFactory(actor=alice, action=Decision.Action.VERIFY_CREDENTIAL)
    DecisionFactory(action=Decision.Action.HIDE_REVIEW)
    today = timezone.localdate().isoformat()
    response = moderator_client.get(
        "/moderation/log/", {"action": "hide_review", "actor": alice.pk, "date_from": today, "date_to": today}
    )
    assert list(response.context["page"].object_list) == [wanted]


def test_decision_log_with_a_date_range_in_the_future_is_empty(moderator_client):
    DecisionFactory()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = moderator_client.get("/moderation/log/", {"date_from": tomorrow})
    assert list(response.context["page"].object_list) == []


def test_decision_log_is_paginated_by_fifty(moderator_client, django_assert_max_num_queries):
    actor = UserFactory(moderator=True)
    for _ in range(51):
        DecisionFactory(actor=actor)
    with django_assert_max_num_queries(10):
        first = moderator_client.get("/moderation/log/")
    assert len(first.context["page"].object_list) == 50
    assert len(moderator_client.get("/moderation/log/", {"page": 2}).context["page"].object_list) == 1


def test_decision_log_offers_no_way_to_change_an_entry(moderator_client):
    DecisionFactory()
    content = moderator_client.get("/moderation/log/").content.decode()
    assert 'method="post"' not in content.split('<main id="main"')[1]
    assert moderator_client.post("/moderation/log/").status_code == 405
