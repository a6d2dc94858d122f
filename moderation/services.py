"""Moderation decisions: each one changes its object, is logged, and rescores the therapist at once.

Every decision is a conditional UPDATE on the status it expects (`filter(pk=…, status=…)`), and
the row count says whether it applied. Two moderators clicking at once therefore produce one
decision: the second UPDATE matches no row (PostgreSQL re-checks the WHERE clause after the first
transaction commits) and is refused, and nothing is logged for it. Emails go out only after the
transaction commits: each is an outbox row written in the decision's transaction (see
outbox/services.py), so a rolled-back decision tells nobody anything.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directory.lib.cache import invalidate_public_pages_on_commit, invalidate_therapist_pages_on_commit
from moderation import emails
from moderation.models import Decision
from outbox.models import Email
from outbox.services import requeue_email
from registers.matching import Verdict
from registers.models import Register, RegisterEntry
from reviews import emails as review_emails
from reviews.models import Review, ReviewFlag, ReviewReply, ReviewReplyFlag
from therapists import credentials
from therapists.models import Credential, Therapist
from therapists.scores import recompute_score


def own_cause(*, moderator, target) -> str:
    """Why `moderator` may not decide on `target` (a credential, review or profile), or "" if they may.

    A moderator who is also a therapist (or a client) is a party to their own profile, its
    credentials and reviews, and to reviews they wrote: another moderator decides those. The queues
    leave them out (`decidable_by`), the pages show this instead of the decision forms, and every
    service below refuses with it, so a hand-made POST changes nothing either.
    """
    if isinstance(target, Credential):
        if target.therapist.user_id == moderator.pk:
            return "This is your own credential: another moderator decides on it."
    elif isinstance(target, Review):
        if target.therapist.user_id == moderator.pk:
            return "This review is of your own profile: another moderator decides on it."
        if target.author_id == moderator.pk:
            return "You wrote this review: another moderator decides on it."
    elif isinstance(target, ReviewReply):
        if target.author_id == moderator.pk:
            return "This is your own reply: another moderator decides on it."
        if target.review.author_id == moderator.pk:
            return "This reply answers your review: another moderator decides on it."
    elif isinstance(target, Therapist) and target.user_id == moderator.pk:
        return "This is your own profile: another moderator decides on it."
    return ""


def _refuse_own_cause(*, moderator, target) -> None:
    refusal = own_cause(moderator=moderator, target=target)
    if refusal:
        raise ValidationError(f"{refusal} Nothing was changed.")


def _required(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Give a reason to {action}; it is shown to the people concerned."})
    return reason


def _decide_credential(*, credential: Credential, moderator, transition: str, action: str, reason: str = "", **changes):
    """One moderator transition of the credential state machine, recorded in the log.

    The register's answer at this moment goes into the log and onto the credential: what the
    moderator saw beside the document is what is kept, even if the register changes later.
    """
    _refuse_own_cause(moderator=moderator, target=credential)
    answer = credential.ask_register()
    credential, before, after = credentials.decide(
        credential=credential, moderator=moderator, transition=transition, reason=reason, **changes
    )
    if answer is not None:
        after["register"] = answer.as_dict()
        credentials.store_register_answer(credential=credential, answer=after["register"])
    Decision.objects.record(
        actor=moderator, action=action, target=credential, reason=reason, before=before, after=after
    )
    return credential


@transaction.atomic
def verify_credential(*, credential: Credential, moderator, expires_on: date | None = None) -> Credential:
    """Verify a pending credential; `expires_on` corrects the expiry date, None keeps the submitted one."""
    credential = _decide_credential(
        credential=credential,
        moderator=moderator,
        transition="verify",
        action=Decision.Action.VERIFY_CREDENTIAL,
        expires_on=expires_on,
    )
    emails.credential_verified(credential_id=credential.pk)
    return credential


@transaction.atomic
def reject_credential(*, credential: Credential, moderator, reason: str) -> Credential:
    """Reject a pending credential; the reason is stored and shown to the therapist."""
    reason = _required(reason, "reject a credential")
    credential = _decide_credential(
        credential=credential,
        moderator=moderator,
        transition="reject",
        action=Decision.Action.REJECT_CREDENTIAL,
        reason=reason,
    )
    emails.credential_rejected(credential_id=credential.pk)
    return credential


@transaction.atomic
def revoke_credential(*, credential: Credential, moderator, reason: str) -> Credential:
    """Withdraw a verification: the credential becomes rejected, with the reason, and stops counting."""
    reason = _required(reason, "revoke a credential")
    credential = _decide_credential(
        credential=credential,
        moderator=moderator,
        transition="revoke",
        action=Decision.Action.REVOKE_CREDENTIAL,
        reason=reason,
    )
    emails.credential_revoked(credential_id=credential.pk)
    return credential


def _criterion(review: Review) -> str:
    """The removal criterion a hide is counted under: the reason most of its open flags give, else "other"."""
    reasons = list(ReviewFlag.objects.open().filter(review=review).values_list("reason", flat=True))
    return max(set(reasons), key=reasons.count) if reasons else ReviewFlag.Reason.OTHER


def _resolve_open_flags(*, review: Review, moderator, resolution: str) -> int:
    return ReviewFlag.objects.open().filter(review=review).update(
        resolution=resolution, resolved_by=moderator, resolved_at=timezone.now()
    )


@transaction.atomic
def hide_review(*, review: Review, moderator, reason: str) -> Review:
    """Hide a published review (it stops counting toward the score) and uphold its open flags."""
    _refuse_own_cause(moderator=moderator, target=review)
    reason = _required(reason, "hide a review")
    now = timezone.now()
    applied = Review.objects.filter(pk=review.pk, status=Review.Status.PUBLISHED).update(
        status=Review.Status.HIDDEN, hidden_reason=reason, removed_at=now, updated_at=now
    )
    if not applied:
        raise ValidationError("This review is no longer published: another moderator hid it. Nothing was changed.")
    criterion = _criterion(review)
    upheld = _resolve_open_flags(review=review, moderator=moderator, resolution=ReviewFlag.Resolution.UPHELD)
    review.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.HIDE_REVIEW,
        target=review,
        reason=reason,
        before={"status": Review.Status.PUBLISHED, "open_flags": upheld},
        after={"status": Review.Status.HIDDEN, "open_flags": 0, "criterion": criterion},
    )
    rescored = recompute_score(therapist_id=review.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    emails.review_hidden(review_id=review.pk)
    return review


@transaction.atomic
def restore_review(*, review: Review, moderator, reason: str = "") -> Review:
    """Publish a hidden review again; it counts toward the score from now on."""
    _refuse_own_cause(moderator=moderator, target=review)
    applied = Review.objects.filter(pk=review.pk, status=Review.Status.HIDDEN, text_erased_at__isnull=True).update(
        status=Review.Status.PUBLISHED, hidden_reason="", removed_at=None, updated_at=timezone.now()
    )
    if not applied:
        raise ValidationError("This review is no longer hidden: another moderator restored it. Nothing was changed.")
    hidden_reason = review.hidden_reason
    review.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.RESTORE_REVIEW,
        target=review,
        reason=(reason or "").strip(),
        before={"status": Review.Status.HIDDEN, "hidden_reason": hidden_reason},
        after={"status": Review.Status.PUBLISHED},
    )
    rescored = recompute_score(therapist_id=review.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return review


@transaction.atomic
def decide_held_review(*, review: Review, moderator, publish: bool, reason: str = "") -> Review:
    """Publish a review the burst rule held, or hide it with a reason; either way the authors' wait ends.

    A second decision on the same review (another moderator, a double click) is refused with
    "already decided" and changes nothing.
    """
    _refuse_own_cause(moderator=moderator, target=review)
    now = timezone.now()
    if publish:
        reason = (reason or "").strip()
        changes = {"status": Review.Status.PUBLISHED}
        action = Decision.Action.RELEASE_REVIEW
    else:
        reason = _required(reason, "hide a review")
        changes = {"status": Review.Status.HIDDEN, "hidden_reason": reason, "removed_at": now}
        action = Decision.Action.HIDE_REVIEW
    applied = Review.objects.filter(pk=review.pk, status=Review.Status.HELD).update(**changes, updated_at=now)
    if not applied:
        current = Review.objects.filter(pk=review.pk).values_list("status", flat=True).first()
        label = Review.Status(current).label.lower() if current else "deleted"
        raise ValidationError(f"This review was already decided (it is now {label}). Nothing was changed.")
    review.refresh_from_db()
    after = {"status": review.status}
    if not publish:
        after["criterion"] = _criterion(review)
    Decision.objects.record(
        actor=moderator, action=action, target=review, reason=reason,
        before={"status": Review.Status.HELD}, after=after,
    )
    rescored = recompute_score(therapist_id=review.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    if publish:
        review_emails.held_review_published(review_id=review.pk)
    else:
        emails.review_hidden(review_id=review.pk)
    return review


@transaction.atomic
def dismiss_flags(*, review: Review, moderator, reason: str = "") -> int:
    """Dismiss every open flag on a review, which stays as it is; returns how many were dismissed.

    The score is not recomputed: flags count for nothing in it, and the review does not change.
    """
    _refuse_own_cause(moderator=moderator, target=review)
    dismissed = _resolve_open_flags(review=review, moderator=moderator, resolution=ReviewFlag.Resolution.DISMISSED)
    if not dismissed:
        raise ValidationError("This review has no open flags: another moderator already dealt with them.")
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.DISMISS_FLAGS,
        target=review,
        reason=(reason or "").strip(),
        before={"open_flags": dismissed},
        after={"open_flags": 0},
    )
    return dismissed


# Replies (issue 17). A reply counts for nothing in the score, so these decisions rescore nothing; they
# change what visitors see, so each drops the cached pages after commit.


def _reply_criterion(reply: ReviewReply) -> str:
    """The criterion a hidden reply is counted under: the reason most of its open flags give, else "other"."""
    reasons = list(ReviewReplyFlag.objects.open().filter(reply=reply).values_list("reason", flat=True))
    return max(set(reasons), key=reasons.count) if reasons else ReviewFlag.Reason.OTHER


def _resolve_open_reply_flags(*, reply: ReviewReply, moderator, resolution: str) -> int:
    return ReviewReplyFlag.objects.open().filter(reply=reply).update(
        resolution=resolution, resolved_by=moderator, resolved_at=timezone.now()
    )


@transaction.atomic
def hide_reply(*, reply: ReviewReply, moderator, reason: str) -> ReviewReply:
    """Hide a published reply (gone from the profile and the API) and uphold its open flags; the therapist is told."""
    _refuse_own_cause(moderator=moderator, target=reply)
    reason = _required(reason, "hide a reply")
    now = timezone.now()
    applied = ReviewReply.objects.filter(pk=reply.pk, status=ReviewReply.Status.PUBLISHED).update(
        status=ReviewReply.Status.HIDDEN, hidden_reason=reason, removed_at=now, updated_at=now
    )
    if not applied:
        raise ValidationError("This reply is no longer published: another moderator hid it. Nothing was changed.")
    criterion = _reply_criterion(reply)
    upheld = _resolve_open_reply_flags(reply=reply, moderator=moderator, resolution=ReviewFlag.Resolution.UPHELD)
    reply.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.HIDE_REPLY,
        target=reply,
        reason=reason,
        before={"status": ReviewReply.Status.PUBLISHED, "open_flags": upheld},
        after={"status": ReviewReply.Status.HIDDEN, "open_flags": 0, "criterion": criterion},
    )
    invalidate_therapist_pages_on_commit(reply.review.therapist.slug)  # a reply shows on its profile only
    emails.reply_hidden(reply_id=reply.pk)
    return reply


@transaction.atomic
def restore_reply(*, reply: ReviewReply, moderator, reason: str) -> ReviewReply:
    """Publish a hidden reply again, saying why (a restored reply is shown under the review once more)."""
    _refuse_own_cause(moderator=moderator, target=reply)
    reason = _required(reason, "restore a reply")
    hidden_reason = reply.hidden_reason
    applied = ReviewReply.objects.filter(
        pk=reply.pk, status=ReviewReply.Status.HIDDEN, text_erased_at__isnull=True
    ).update(status=ReviewReply.Status.PUBLISHED, hidden_reason="", removed_at=None, updated_at=timezone.now())
    if not applied:
        raise ValidationError("This reply is no longer hidden: another moderator restored it. Nothing was changed.")
    reply.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.RESTORE_REPLY,
        target=reply,
        reason=reason,
        before={"status": ReviewReply.Status.HIDDEN, "hidden_reason": hidden_reason},
        after={"status": ReviewReply.Status.PUBLISHED},
    )
    invalidate_therapist_pages_on_commit(reply.review.therapist.slug)
    return reply


@transaction.atomic
def dismiss_reply_flags(*, reply: ReviewReply, moderator, reason: str = "") -> int:
    """Dismiss every open flag on a reply, which stays published; returns how many were dismissed."""
    _refuse_own_cause(moderator=moderator, target=reply)
    dismissed = _resolve_open_reply_flags(reply=reply, moderator=moderator, resolution=ReviewFlag.Resolution.DISMISSED)
    if not dismissed:
        raise ValidationError("This reply has no open flags: another moderator already dealt with them.")
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.DISMISS_FLAGS,
        target=reply,
        reason=(reason or "").strip(),
        before={"open_flags": dismissed},
        after={"open_flags": 0},
    )
    return dismissed


@transaction.atomic
def suspend_therapist(*, therapist: Therapist, moderator, reason: str) -> Therapist:
    """Suspend a profile: it leaves search and the API and its URL answers 404 until unsuspended.

    The status it had before is logged, so unsuspending puts it back exactly (draft or published).
    """
    _refuse_own_cause(moderator=moderator, target=therapist)
    reason = _required(reason, "suspend a profile")
    previous = therapist.status
    if previous == Therapist.Status.SUSPENDED:
        raise ValidationError("This profile is already suspended. Nothing was changed.")
    applied = Therapist.objects.filter(pk=therapist.pk, status=previous).update(
        status=Therapist.Status.SUSPENDED, suspended_reason=reason, updated_at=timezone.now()
    )
    if not applied:
        raise ValidationError("This profile changed while you were looking at it; reload and decide again.")
    therapist.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.SUSPEND_THERAPIST,
        target=therapist,
        reason=reason,
        before={"status": previous},
        after={"status": Therapist.Status.SUSPENDED},
    )
    invalidate_public_pages_on_commit()
    emails.therapist_suspended(therapist_id=therapist.pk)
    return therapist


def _status_before_suspension(therapist: Therapist) -> str:
    last = (
        Decision.objects.filter(
            action=Decision.Action.SUSPEND_THERAPIST,
            target_type=Therapist._meta.label_lower,
            target_id=therapist.pk,
        )
        .order_by("-created_at", "-pk")
        .values_list("before", flat=True)
        .first()
    )
    status = (last or {}).get("status")
    # Suspended outside this app (admin, demo data): published is what the owner most likely had.
    return status if status in (Therapist.Status.DRAFT, Therapist.Status.PUBLISHED) else Therapist.Status.PUBLISHED


@transaction.atomic
def unsuspend_therapist(*, therapist: Therapist, moderator, reason: str = "") -> Therapist:
    """Lift a suspension, back to the status the profile had before it (logged by suspend_therapist)."""
    _refuse_own_cause(moderator=moderator, target=therapist)
    restored = _status_before_suspension(therapist)
    suspended_reason = Therapist.objects.filter(pk=therapist.pk).values_list("suspended_reason", flat=True).first()
    applied = Therapist.objects.filter(pk=therapist.pk, status=Therapist.Status.SUSPENDED).update(
        status=restored, suspended_reason="", updated_at=timezone.now()
    )
    if not applied:
        raise ValidationError("This profile is no longer suspended: another moderator lifted it. Nothing was changed.")
    therapist.refresh_from_db()
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.UNSUSPEND_THERAPIST,
        target=therapist,
        reason=(reason or "").strip(),
        before={"status": Therapist.Status.SUSPENDED, "suspended_reason": suspended_reason},
        after={"status": restored},
    )
    invalidate_public_pages_on_commit()
    return therapist


def expire_credentials(*, today: date | None = None) -> int:
    """Mark verified credentials past their expiry date as expired and rescore their therapists.

    Returns how many credentials expired. Logged as automatic decisions (no actor).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        expiring, expired = credentials.expire_past(today=today)
        for credential in expiring:
            Decision.objects.record(
                actor=None,
                action=Decision.Action.EXPIRE_CREDENTIAL,
                target=credential,
                reason=f"Expired on {credential.expires_on.isoformat()}",
                before={"status": Credential.Status.VERIFIED},
                after={"status": Credential.Status.EXPIRED},
            )
    return expired


# Re-checking verified licences against their registers (after each import, and daily).

RECHECK_OUTCOMES = ("confirmed", "expiry_updated", "requeued", "revoked", "changed_meanwhile")


def recheck_licences(*, register: Register | None = None, today: date | None = None) -> dict[str, int]:
    """Compare every verified licence with its register entry and act on what the register says now.

    Revoked in the register: the licence is rejected at once (an automatic decision; the therapist is
    emailed). Expired, suspended, inactive or gone from the register: back to the moderators' queue with
    the register's answer as the reason. Still listed: its answer is stored and, if the register moved
    the expiry date, the licence's date follows (logged). Each licence is its own transaction, so one
    that a moderator decides meanwhile is left to the moderator. Returns how many had each outcome.
    """
    today = today or timezone.localdate()
    licences = Credential.objects.licences().filter(status=Credential.Status.VERIFIED, register__isnull=False)
    if register is not None:
        licences = licences.filter(register=register)
    outcomes = dict.fromkeys(RECHECK_OUTCOMES, 0)
    for credential in licences.select_related("therapist__user", "register").order_by("pk").iterator(chunk_size=500):
        outcomes[_recheck_licence(credential=credential, today=today)] += 1
    return outcomes


@transaction.atomic
def _recheck_licence(*, credential: Credential, today: date) -> str:
    answer = credential.ask_register(today)
    recorded = answer.as_dict()
    revoked = answer.found and not answer.gone_since and answer.standing == RegisterEntry.Status.REVOKED
    if revoked or answer.verdict in (Verdict.NOT_FOUND, Verdict.NOT_IN_GOOD_STANDING):
        transition, action = ("register_revoke", Decision.Action.REVOKE_CREDENTIAL) if revoked else (
            "requeue", Decision.Action.REQUEUE_CREDENTIAL
        )
        reason = f"{credential.register.name}, checked on {today:%d %b %Y}: {answer.summary}"
        if not credentials.decide_by_register(credential=credential, transition=transition, reason=reason,
                                               answer=recorded):
            return "changed_meanwhile"
        target = credentials.TRANSITIONS[transition].target
        Decision.objects.record(
            actor=None, action=action, target=credential, reason=reason,
            before={"status": Credential.Status.VERIFIED}, after={"status": target, "register": recorded},
        )
        if revoked:
            emails.credential_revoked(credential_id=credential.pk)
        invalidate_therapist_pages_on_commit(credential.therapist.slug)
        return "revoked" if revoked else "requeued"
    moved = date.fromisoformat(answer.expires_on) if answer.expires_on else None
    if moved is None or moved == credential.expires_on or moved < credential.issued_on:
        moved = None
    if not credentials.confirm_by_register(credential=credential, answer=recorded, expires_on=moved):
        return "changed_meanwhile"
    if moved is None:
        return "confirmed"
    invalidate_therapist_pages_on_commit(credential.therapist.slug)
    Decision.objects.record(
        actor=None, action=Decision.Action.UPDATE_CREDENTIAL_EXPIRY, target=credential,
        reason=f"{credential.register.name} now shows this licence expiring on {moved.isoformat()}.",
        before={"expires_on": credential.expires_on.isoformat() if credential.expires_on else None},
        after={"expires_on": moved.isoformat(), "register": recorded},
    )
    return "expiry_updated"
@transaction.atomic
def resend_email(*, email: Email, moderator) -> Email:
    """Queue a failed email again from its first try, once its cause (an address, the mail server) is fixed."""
    before = {"status": email.status, "attempts": email.attempts, "last_error": email.last_error[:200]}
    email = requeue_email(email=email)
    Decision.objects.record(
        actor=moderator,
        action=Decision.Action.RESEND_EMAIL,
        target=email,
        before=before,
        after={"status": email.status, "attempts": email.attempts},
    )
    return email
