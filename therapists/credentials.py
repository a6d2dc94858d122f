"""The credential's one state machine: every transition, who may make it, and the write that makes it.

    submit      owner      (new)                          -> pending (asking the chosen register)
    update      owner      any decided status             -> pending (facts or document changed)
    withdraw    owner      pending, verified, expired     -> withdrawn
    resubmit    owner      rejected, withdrawn            -> pending
    verify      moderator  pending                        -> verified
    reject      moderator  pending                        -> rejected
    revoke      moderator  verified                       -> rejected
    expire      system     verified (past its expiry)     -> expired
    requeue     system     verified (register: expired…)  -> pending
    register_revoke system verified (register: revoked)   -> rejected

The owner's transitions lock the row; the moderator's and the system's are conditional UPDATEs on the
status they expect, so two moderators (or a moderator and the daily expiry) deciding at once make one
decision. Every transition rescores the therapist in the same transaction (only verified, unexpired
credentials count) and drops the cached visitor pages after commit (the profile lists credentials).
The moderation app records the decisions (Decision.objects.record) and sends the emails; this module
knows nothing of it, so moderation depends on therapists and never the reverse.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from directory.lib.cache import invalidate_public_pages_on_commit, invalidate_therapist_pages_on_commit
from therapists.models import Credential, expiry_error
from therapists.scores import recompute_score
from therapists.services import delete_files_after_commit

Status = Credential.Status
OWNER, MODERATOR, SYSTEM = "owner", "moderator", "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    by: str


TRANSITIONS = {
    "submit": Transition(frozenset(), Status.PENDING, OWNER),
    "update": Transition(
        frozenset({Status.VERIFIED, Status.REJECTED, Status.EXPIRED, Status.WITHDRAWN}), Status.PENDING, OWNER
    ),
    "withdraw": Transition(frozenset({Status.PENDING, Status.VERIFIED, Status.EXPIRED}), Status.WITHDRAWN, OWNER),
    "resubmit": Transition(frozenset({Status.REJECTED, Status.WITHDRAWN}), Status.PENDING, OWNER),
    "verify": Transition(frozenset({Status.PENDING}), Status.VERIFIED, MODERATOR),
    "reject": Transition(frozenset({Status.PENDING}), Status.REJECTED, MODERATOR),
    "revoke": Transition(frozenset({Status.VERIFIED}), Status.REJECTED, MODERATOR),
    "expire": Transition(frozenset({Status.VERIFIED}), Status.EXPIRED, SYSTEM),
    # The register no longer confirms a verified licence (moderation.services.recheck_licences).
    "requeue": Transition(frozenset({Status.VERIFIED}), Status.PENDING, SYSTEM),
    "register_revoke": Transition(frozenset({Status.VERIFIED}), Status.REJECTED, SYSTEM),
}
CREDENTIAL_FACTS = ["kind", "title", "issuer", "number", "register", "modality", "issued_on", "expires_on"]
# Changing one of these asks the register again.
REGISTER_FACTS = {"kind", "number", "register"}


def can(transition: str, status: str) -> bool:
    """Whether a credential in `status` may take `transition` (the table above, nothing else)."""
    return status in TRANSITIONS[transition].sources


def _store_document(credential: Credential, document: File, extension: str) -> None:
    # A server-made name: the uploader's file name never reaches the disk or a response header.
    credential.document.save(f"{uuid.uuid4().hex}.{extension}", document, save=False)


def _back_to_pending(credential: Credential) -> None:
    credential.status = Status.PENDING
    credential.submitted_at = timezone.now()
    credential.decided_by = None
    credential.decided_at = None
    credential.decision_reason = ""


# The owner's transitions.


@transaction.atomic
def submit_credential(*, therapist, data: dict, document: File, extension: str) -> Credential:
    """Add a licence or certificate to the moderators' queue as pending."""
    credential = Credential(therapist=therapist, status=Status.PENDING, submitted_at=timezone.now())
    for field in CREDENTIAL_FACTS:
        setattr(credential, field, data.get(field))
    credential.number = credential.number or ""
    ask_register(credential)
    _store_document(credential, document, extension)
    try:
        credential.save()
    except Exception:
        credential.document.storage.delete(credential.document.name)
        raise
    invalidate_therapist_pages_on_commit(therapist.slug)  # the profile lists pending credentials too
    return credential


@transaction.atomic
def update_credential(
    *, credential: Credential, data: dict, document: File | None = None, extension: str | None = None
) -> Credential:
    """Correct a credential's facts or document. Any change to a decided credential needs a new decision,
    so it goes back to pending, and a verified one stops counting toward the score until re-verified.
    """
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    changed = [field for field in CREDENTIAL_FACTS if field in data and data[field] != getattr(credential, field)]
    if not changed and document is None:
        return credential
    for field in changed:
        setattr(credential, field, data[field])
    credential.number = credential.number or ""
    if REGISTER_FACTS.intersection(changed):
        ask_register(credential)
    old_document = credential.document.name
    if document is not None:
        _store_document(credential, document, extension)
        delete_files_after_commit(credential.document.storage, [old_document])
    if can("update", credential.status):
        _back_to_pending(credential)
    credential.save()
    rescored = recompute_score(therapist_id=credential.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return credential


@transaction.atomic
def withdraw_credential(*, credential: Credential) -> Credential:
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if not can("withdraw", credential.status):
        raise ValidationError("Only a pending, verified or expired credential can be withdrawn.")
    credential.status = TRANSITIONS["withdraw"].target
    credential.save(update_fields=["status", "updated_at"])
    rescored = recompute_score(therapist_id=credential.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return credential


@transaction.atomic
def resubmit_credential(*, credential: Credential) -> Credential:
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if not can("resubmit", credential.status):
        raise ValidationError("Only a rejected or withdrawn credential can be resubmitted.")
    if not credential.document:
        raise ValidationError("Add a document before you resubmit this credential.")
    _back_to_pending(credential)
    credential.save()
    rescored = recompute_score(therapist_id=credential.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return credential


# The moderator's and the system's transitions: the caller records the decision in its transaction.


def _already_decided(current_status: str | None) -> ValidationError:
    now = Status(current_status).label.lower() if current_status else "deleted"
    return ValidationError(
        f"This credential was already decided by another moderator (it is now {now}). Nothing was changed."
    )


def decide(
    *, credential: Credential, moderator, transition: str, reason: str = "", expires_on: date | None = None
) -> tuple[Credential, dict, dict]:
    """Make a moderator's transition once, and rescore; returns (credential, before, after) for the log.

    Call it inside the decision's transaction. `expires_on` (verify only) corrects the expiry date.
    """
    step = TRANSITIONS[transition]
    if step.by != MODERATOR:
        raise ValueError(f"{transition} is not a moderator's transition")
    (expected,) = step.sources
    changes = {"status": step.target}
    if expires_on is not None:
        error = expiry_error(credential.issued_on, expires_on)
        if error:
            raise ValidationError({"expires_on": error})
        changes["expires_on"] = expires_on
    now = timezone.now()
    applied = Credential.objects.filter(pk=credential.pk, status=expected).update(
        decided_by=moderator, decided_at=now, decision_reason=reason, updated_at=now, **changes
    )
    if not applied:
        raise _already_decided(Credential.objects.filter(pk=credential.pk).values_list("status", flat=True).first())
    before = {"status": expected}
    after = {"status": changes["status"]}
    if "expires_on" in changes:
        before["expires_on"] = credential.expires_on.isoformat() if credential.expires_on else None
        after["expires_on"] = changes["expires_on"].isoformat() if changes["expires_on"] else None
    credential.refresh_from_db()
    rescored = recompute_score(therapist_id=credential.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return credential, before, after


def expire_past(*, today: date) -> tuple[list[Credential], int]:
    """Expire the verified credentials past their expiry date, and rescore; returns them and how many changed.

    Call it inside a transaction; the caller logs each one. The conditional update on the status means
    a moderator deciding at the same moment is not overwritten.
    """
    step = TRANSITIONS["expire"]
    (expected,) = step.sources
    credentials = list(Credential.objects.past_expiry(today).select_for_update().select_related("therapist"))
    expired = Credential.objects.filter(pk__in=[c.pk for c in credentials], status=expected).update(
        status=step.target, updated_at=timezone.now()
    )
    for therapist_id in sorted({c.therapist_id for c in credentials}):
        recompute_score(therapist_id=therapist_id, today=today)
    if credentials:
        invalidate_public_pages_on_commit()
    return credentials, expired


# The register's transitions (registers.matching answers; moderation.services.recheck_licences records them).


def ask_register(credential: Credential) -> None:
    """Store what the chosen register says now about the credential (not saved; the caller saves)."""
    answer = credential.ask_register()
    credential.register_answer = answer.as_dict() if answer else {}
    credential.register_checked_at = timezone.now() if answer else None


def store_register_answer(*, credential: Credential, answer: dict) -> None:
    """Keep the register's answer a moderator decided with (call it inside the decision's transaction)."""
    now = timezone.now()
    Credential.objects.filter(pk=credential.pk).update(register_answer=answer, register_checked_at=now)
    credential.register_answer, credential.register_checked_at = answer, now


def decide_by_register(*, credential: Credential, transition: str, reason: str, answer: dict) -> bool:
    """The register no longer confirms a verified licence: revoke it or send it back to the queue, once.

    A conditional UPDATE, like a moderator's decision, so a moderator deciding at the same moment wins
    and this returns False. Call it inside the caller's transaction; it rescores the therapist.
    """
    step = TRANSITIONS[transition]
    if step.by != SYSTEM:
        raise ValueError(f"{transition} is not a system transition")
    (expected,) = step.sources
    now = timezone.now()
    applied = Credential.objects.filter(pk=credential.pk, status=expected).update(
        status=step.target, decided_by=None, decided_at=now if step.target != Status.PENDING else None,
        decision_reason=reason, register_answer=answer, register_checked_at=now, updated_at=now,
    )
    if applied:
        recompute_score(therapist_id=credential.therapist_id)
    return bool(applied)


def confirm_by_register(*, credential: Credential, answer: dict, expires_on: date | None) -> bool:
    """The register still lists a verified licence: store its answer and, when given, the expiry date it
    now shows (rescoring, since the expiry decides whether the licence counts). False if no longer verified."""
    now = timezone.now()
    changes = {"register_answer": answer, "register_checked_at": now}
    if expires_on is not None:
        changes["expires_on"] = expires_on
    applied = Credential.objects.filter(pk=credential.pk, status=Status.VERIFIED).update(updated_at=now, **changes)
    if applied and expires_on is not None:
        recompute_score(therapist_id=credential.therapist_id)
    return bool(applied)
