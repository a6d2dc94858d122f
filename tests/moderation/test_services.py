"""Each decision: the status changes, the reason is kept, the score follows, the log has before/after,
and the email goes out after commit (never when the transaction rolls back)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from moderation import services
from moderation.models import Decision
from reviews.models import Review, ReviewFlag
from tests.factories import CredentialFactory, ReviewFactory, ReviewFlagFactory, TherapistFactory, make_moderator
from therapists.models import Credential, Therapist
from therapists.scores import recompute_score
from therapists.scoring import ReviewGroup, ScoreInputs, compute_score

pytestmark = pytest.mark.django_db

FIVE_YEARS = ScoreInputs(years_of_experience=5)
# The factory's licence was issued two years ago: two of the five years become verified ones.
FIVE_YEARS_LICENSED = replace(FIVE_YEARS, has_licence=True, verified_years=2)
ONE_GOOD_REVIEW = FIVE_YEARS.with_reviews(
    ReviewGroup(count=1, rating_sum=5, consultation_yes=1, no_unwanted_effects=1, aftercare_yes=1)
)


class Rollback(Exception):
    pass


def _only_decision() -> Decision:
    [decision] = Decision.objects.all()
    return decision


# Verify


def test_verify_credential_marks_it_verified_and_adds_the_licence_points(moderator):
    credential = CredentialFactory()
    recompute_score(therapist_id=credential.therapist_id)
    services.verify_credential(credential=credential, moderator=moderator)
    credential.refresh_from_db()
    credential.therapist.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.decided_by == moderator
    assert credential.decided_at is not None
    assert credential.therapist.has_verified_licence
    assert credential.therapist.score == pytest.approx(compute_score(FIVE_YEARS_LICENSED).score)
    assert compute_score(FIVE_YEARS_LICENSED).score > compute_score(FIVE_YEARS).score + 20


def test_verify_credential_logs_status_before_and_after(moderator):
    credential = CredentialFactory()
    services.verify_credential(credential=credential, moderator=moderator)
    decision = _only_decision()
    assert decision.actor == moderator
    assert decision.action == Decision.Action.VERIFY_CREDENTIAL
    assert (decision.target_type, decision.target_id) == ("therapists.credential", credential.pk)
    assert decision.before == {"status": "pending"}
    assert decision.after == {"status": "verified"}


def test_verify_credential_can_correct_the_expiry_date_and_logs_both_dates(moderator):
    credential = CredentialFactory()
    submitted = credential.expires_on
    corrected = submitted + timedelta(days=30)
    services.verify_credential(credential=credential, moderator=moderator, expires_on=corrected)
    credential.refresh_from_db()
    assert credential.expires_on == corrected
    decision = _only_decision()
    assert decision.before["expires_on"] == submitted.isoformat()
    assert decision.after["expires_on"] == corrected.isoformat()


def test_verify_credential_refuses_an_expiry_date_before_the_issue_date(moderator):
    credential = CredentialFactory()
    with pytest.raises(ValidationError) as error:
        services.verify_credential(
            credential=credential, moderator=moderator, expires_on=credential.issued_on - timedelta(days=1)
        )
    assert "expiry date cannot be before the issue date" in str(error.value)
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0


def test_verify_credential_emails_the_therapist_after_commit(moderator, django_capture_on_commit_callbacks):
    credential = CredentialFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_credential(credential=credential, moderator=moderator)
        assert mail.outbox == []
    [email] = mail.outbox
    assert email.to == [credential.therapist.user.email]
    assert "verified" in email.subject
    assert credential.title in email.body


def test_verify_credential_sends_nothing_and_changes_nothing_when_rolled_back(
    moderator, django_capture_on_commit_callbacks
):
    credential = CredentialFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        services.verify_credential(credential=credential, moderator=moderator)
        raise Rollback
    assert mail.outbox == []
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0


# Reject


def test_reject_credential_stores_the_reason_for_the_therapist(moderator, django_capture_on_commit_callbacks):
    credential = CredentialFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_credential(credential=credential, moderator=moderator, reason="  The scan is unreadable. ")
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REJECTED
    assert credential.decision_reason == "The scan is unreadable."
    decision = _only_decision()
    assert (decision.action, decision.reason) == (Decision.Action.REJECT_CREDENTIAL, "The scan is unreadable.")
    assert (decision.before, decision.after) == ({"status": "pending"}, {"status": "rejected"})
    [email] = mail.outbox
    assert email.to == [credential.therapist.user.email]
    assert "The scan is unreadable." in email.body


def test_reject_credential_leaves_the_score_without_the_licence(moderator):
    credential = CredentialFactory()
    services.reject_credential(credential=credential, moderator=moderator, reason="Not a licence.")
    therapist = Therapist.objects.get(pk=credential.therapist_id)
    assert not therapist.has_verified_licence
    assert therapist.score == pytest.approx(compute_score(FIVE_YEARS).score)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_credential_without_a_reason_is_refused(moderator, reason):
    credential = CredentialFactory()
    with pytest.raises(ValidationError) as error:
        services.reject_credential(credential=credential, moderator=moderator, reason=reason)
    assert "reason" in error.value.message_dict
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0


def test_reject_credential_sends_nothing_when_rolled_back(moderator, django_capture_on_commit_callbacks):
    credential = CredentialFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        services.reject_credential(credential=credential, moderator=moderator, reason="Not a licence.")
        raise Rollback
    assert mail.outbox == []
    assert Decision.objects.count() == 0


# Revoke


def test_revoke_credential_withdraws_the_licence_points(moderator, django_capture_on_commit_callbacks):
    credential = CredentialFactory(verified=True)
    recompute_score(therapist_id=credential.therapist_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_credential(credential=credential, moderator=moderator, reason="The issuer withdrew it.")
    credential.refresh_from_db()
    therapist = Therapist.objects.get(pk=credential.therapist_id)
    assert credential.status == Credential.Status.REJECTED
    assert credential.decision_reason == "The issuer withdrew it."
    assert not therapist.has_verified_licence
    assert therapist.score == pytest.approx(compute_score(FIVE_YEARS).score)
    decision = _only_decision()
    assert decision.action == Decision.Action.REVOKE_CREDENTIAL
    assert (decision.before, decision.after) == ({"status": "verified"}, {"status": "rejected"})
    [email] = mail.outbox
    assert "withdrawn" in email.subject
    assert "The issuer withdrew it." in email.body


def test_revoke_credential_refuses_a_credential_that_is_not_verified(moderator):
    credential = CredentialFactory()
    with pytest.raises(ValidationError, match="already decided"):
        services.revoke_credential(credential=credential, moderator=moderator, reason="Void.")
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert Decision.objects.count() == 0


def test_revoke_credential_without_a_reason_is_refused(moderator):
    credential = CredentialFactory(verified=True)
    with pytest.raises(ValidationError):
        services.revoke_credential(credential=credential, moderator=moderator, reason="")
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED


def test_revoke_credential_sends_nothing_when_rolled_back(moderator, django_capture_on_commit_callbacks):
    credential = CredentialFactory(verified=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        services.revoke_credential(credential=credential, moderator=moderator, reason="Void.")
        raise Rollback
    assert mail.outbox == []
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED


# First decision wins (sequential; the concurrent version is in test_race.py)


def test_second_decision_on_the_same_credential_is_refused_and_not_logged(moderator):
    credential = CredentialFactory()
    stale_copy = Credential.objects.get(pk=credential.pk)
    services.verify_credential(credential=credential, moderator=moderator)
    with pytest.raises(ValidationError, match="already decided by another moderator"):
        services.reject_credential(credential=stale_copy, moderator=moderator, reason="Too late.")
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.decision_reason == ""
    assert Decision.objects.count() == 1


# Hide


def test_hide_review_hides_it_upholds_its_flags_and_lowers_the_score(moderator):
    review = ReviewFactory()
    flags = ReviewFlagFactory.create_batch(2, review=review)
    recompute_score(therapist_id=review.therapist_id)
    services.hide_review(review=review, moderator=moderator, reason="Insults the therapist.")
    review.refresh_from_db()
    therapist = Therapist.objects.get(pk=review.therapist_id)
    assert review.status == Review.Status.HIDDEN
    assert review.hidden_reason == "Insults the therapist."
    for flag in flags:
        flag.refresh_from_db()
        assert flag.resolution == ReviewFlag.Resolution.UPHELD
        assert flag.resolved_by == moderator
        assert flag.resolved_at is not None
    assert therapist.review_count == 0
    assert therapist.score == pytest.approx(compute_score(FIVE_YEARS).score)


def test_hide_review_leaves_flags_on_other_reviews_open(moderator):
    review = ReviewFactory()
    other_flag = ReviewFlagFactory()
    services.hide_review(review=review, moderator=moderator, reason="Spam.")
    other_flag.refresh_from_db()
    assert other_flag.resolution == ReviewFlag.Resolution.OPEN


def test_hide_review_logs_before_and_after(moderator):
    review = ReviewFactory()
    ReviewFlagFactory(review=review)
    services.hide_review(review=review, moderator=moderator, reason="Spam.")
    decision = _only_decision()
    assert (decision.action, decision.reason) == (Decision.Action.HIDE_REVIEW, "Spam.")
    assert decision.before == {"status": "published", "open_flags": 1}
    # Counted in the transparency table under the criterion its flags gave.
    assert decision.after == {"status": "hidden", "open_flags": 0, "criterion": "offensive"}


def test_hide_review_emails_the_author_and_the_therapist_after_commit(moderator, django_capture_on_commit_callbacks):
    review = ReviewFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_review(review=review, moderator=moderator, reason="Names another client.")
        assert mail.outbox == []
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [review.author.email, review.therapist.user.email]
    )
    assert all("Names another client." in email.body for email in mail.outbox)


def test_hide_review_sends_nothing_when_rolled_back(moderator, django_capture_on_commit_callbacks):
    review = ReviewFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        services.hide_review(review=review, moderator=moderator, reason="Spam.")
        raise Rollback
    assert mail.outbox == []
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_hide_review_without_a_reason_is_refused(moderator):
    review = ReviewFactory()
    flag = ReviewFlagFactory(review=review)
    with pytest.raises(ValidationError):
        services.hide_review(review=review, moderator=moderator, reason="")
    review.refresh_from_db()
    flag.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert flag.resolution == ReviewFlag.Resolution.OPEN
    assert Decision.objects.count() == 0


def test_hide_review_refuses_a_review_already_hidden(moderator):
    review = ReviewFactory(hidden=True)
    with pytest.raises(ValidationError, match="no longer published"):
        services.hide_review(review=review, moderator=moderator, reason="Again.")
    review.refresh_from_db()
    assert review.hidden_reason == "Offensive language."
    assert Decision.objects.count() == 0


# Restore


def test_restore_review_publishes_it_and_raises_the_score_back(moderator):
    review = ReviewFactory(hidden=True)
    recompute_score(therapist_id=review.therapist_id)
    services.restore_review(review=review, moderator=moderator)
    review.refresh_from_db()
    therapist = Therapist.objects.get(pk=review.therapist_id)
    assert review.status == Review.Status.PUBLISHED
    assert review.hidden_reason == ""
    assert therapist.review_count == 1
    assert therapist.score == pytest.approx(compute_score(ONE_GOOD_REVIEW).score)
    decision = _only_decision()
    assert decision.action == Decision.Action.RESTORE_REVIEW
    assert decision.before == {"status": "hidden", "hidden_reason": "Offensive language."}
    assert decision.after == {"status": "published"}


def test_restore_review_refuses_a_published_review(moderator):
    review = ReviewFactory()
    with pytest.raises(ValidationError, match="no longer hidden"):
        services.restore_review(review=review, moderator=moderator)
    assert Decision.objects.count() == 0


# Dismiss


def test_dismiss_flags_closes_open_flags_and_keeps_the_review(moderator):
    review = ReviewFactory()
    flags = ReviewFlagFactory.create_batch(3, review=review)
    dismissed = services.dismiss_flags(review=review, moderator=moderator, reason="Honest, if harsh.")
    assert dismissed == 3
    for flag in flags:
        flag.refresh_from_db()
        assert (flag.resolution, flag.resolved_by) == (ReviewFlag.Resolution.DISMISSED, moderator)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    decision = _only_decision()
    assert (decision.action, decision.reason) == (Decision.Action.DISMISS_FLAGS, "Honest, if harsh.")
    assert (decision.before, decision.after) == ({"open_flags": 3}, {"open_flags": 0})


def test_dismiss_flags_on_a_review_without_open_flags_is_refused(moderator):
    review = ReviewFactory()
    ReviewFlagFactory(review=review, resolution=ReviewFlag.Resolution.DISMISSED)
    with pytest.raises(ValidationError, match="no open flags"):
        services.dismiss_flags(review=review, moderator=moderator)
    assert Decision.objects.count() == 0


# Suspend and unsuspend


def test_suspend_therapist_stores_the_reason_and_logs_the_previous_status(
    moderator, django_capture_on_commit_callbacks
):
    therapist = TherapistFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_therapist(therapist=therapist, moderator=moderator, reason="Forged licence.")
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.SUSPENDED
    assert therapist.suspended_reason == "Forged licence."
    decision = _only_decision()
    assert decision.action == Decision.Action.SUSPEND_THERAPIST
    assert (decision.before, decision.after) == ({"status": "published"}, {"status": "suspended"})
    [email] = mail.outbox
    assert email.to == [therapist.user.email]
    assert "Forged licence." in email.body


def test_suspend_therapist_keeps_the_score_consistent_with_its_inputs(moderator):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True)
    services.suspend_therapist(therapist=therapist, moderator=moderator, reason="Forged licence.")
    therapist.refresh_from_db()
    assert therapist.score == pytest.approx(compute_score(FIVE_YEARS_LICENSED).score)


def test_suspend_therapist_sends_nothing_when_rolled_back(moderator, django_capture_on_commit_callbacks):
    therapist = TherapistFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        services.suspend_therapist(therapist=therapist, moderator=moderator, reason="Forged licence.")
        raise Rollback
    assert mail.outbox == []
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED


def test_suspend_therapist_without_a_reason_is_refused(moderator):
    therapist = TherapistFactory()
    with pytest.raises(ValidationError):
        services.suspend_therapist(therapist=therapist, moderator=moderator, reason=" ")
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED
    assert Decision.objects.count() == 0


def test_suspend_therapist_refuses_a_profile_already_suspended(moderator):
    therapist = TherapistFactory(suspended=True)
    with pytest.raises(ValidationError, match="already suspended"):
        services.suspend_therapist(therapist=therapist, moderator=moderator, reason="Again.")
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("status", [Therapist.Status.PUBLISHED, Therapist.Status.DRAFT])
def test_unsuspend_therapist_restores_the_status_it_had_before(moderator, status):
    therapist = TherapistFactory(status=status)
    services.suspend_therapist(therapist=therapist, moderator=moderator, reason="Checking a complaint.")
    services.unsuspend_therapist(therapist=therapist, moderator=moderator, reason="Complaint unfounded.")
    therapist.refresh_from_db()
    assert therapist.status == status
    assert therapist.suspended_reason == ""
    last = Decision.objects.first()
    assert (last.action, last.reason) == (Decision.Action.UNSUSPEND_THERAPIST, "Complaint unfounded.")
    assert last.before == {"status": "suspended", "suspended_reason": "Checking a complaint."}
    assert last.after == {"status": status}


def test_unsuspend_therapist_suspended_outside_the_app_publishes_it(moderator):
    therapist = TherapistFactory(suspended=True)
    services.unsuspend_therapist(therapist=therapist, moderator=moderator)
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED


def test_unsuspend_therapist_refuses_a_profile_that_is_not_suspended(moderator):
    therapist = TherapistFactory()
    with pytest.raises(ValidationError, match="no longer suspended"):
        services.unsuspend_therapist(therapist=therapist, moderator=moderator)
    assert Decision.objects.count() == 0


def test_decisions_are_logged_with_their_time(moderator):
    credential = CredentialFactory()
    before = timezone.now()
    services.verify_credential(credential=credential, moderator=moderator)
    assert _only_decision().created_at >= before


# Item 11: a moderator is never the judge of their own cause, whichever way the call arrives.


def _moderator_who_wrote(review):
    make_moderator(review.author)
    return review.author


@pytest.mark.parametrize(
    ("decide", "status"),
    [
        (lambda review, moderator: services.hide_review(review=review, moderator=moderator, reason="x"), "published"),
        (lambda review, moderator: services.dismiss_flags(review=review, moderator=moderator), "published"),
        (lambda review, moderator: services.restore_review(review=review, moderator=moderator), "hidden"),
    ],
)
def test_a_moderator_cannot_decide_on_a_review_they_wrote(decide, status):
    review = ReviewFactory(hidden=status == "hidden")
    flag = ReviewFlagFactory(review=review)
    author = _moderator_who_wrote(review)
    with pytest.raises(ValidationError, match="You wrote this review: another moderator decides on it"):
        decide(review, author)
    review.refresh_from_db()
    flag.refresh_from_db()
    assert (review.status, flag.resolution) == (status, ReviewFlag.Resolution.OPEN)
    assert not Decision.objects.exists()


def test_the_queues_leave_out_reviews_the_moderator_wrote(client):
    review = ReviewFactory()
    ReviewFlagFactory(review=review)
    hidden = ReviewFactory(hidden=True, author=review.author)
    client.force_login(_moderator_who_wrote(review))
    assert f"/moderation/reviews/{review.pk}/" not in client.get("/moderation/reviews/").content.decode()
    assert f"/moderation/reviews/{hidden.pk}/" not in client.get("/moderation/reviews/hidden/").content.decode()


def test_own_cause_lets_a_moderator_decide_on_someone_elses_items(moderator):
    review = ReviewFactory()
    for target in (CredentialFactory(), review, review.therapist):
        assert services.own_cause(moderator=moderator, target=target) == ""
