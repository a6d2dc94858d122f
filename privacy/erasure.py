"""Erasing an account (GDPR Art. 17): what it will do (plan_erasure) and doing it (erase_account).

What goes, in one transaction:
- the account, its email addresses, its flags, the appointment requests it sent (with their safety
  answers) and the appointments they became, its data-download archives;
- the reviews it wrote: deleted, or kept and signed "A former client" (the person chooses); either
  way the reviewed therapists are rescored in the same transaction;
- a therapist profile it owns, with its credentials and their documents, photo (and an upload
  waiting to be resized), opening hours, replies, score history, the requests and appointments
  it received, and the reviews *of* it;
- every outbox email to its addresses (the confirmation of the erasure is queued after, to the
  address as it was).
Files (documents, photos, archives) are deleted only after the commit: a rollback keeps them.

What stays: the decision log, every row of it, with the person replaced by one tombstone id
(Decision.objects.replace_person), and one new entry recording the erasure, naming only that id.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import UNCONFIRMED_ACCOUNT_KEPT, User
from appointments.models import Appointment, AppointmentRequest
from directory.lib.cache import invalidate_public_pages_on_commit
from moderation.models import Decision
from outbox.models import Email
from outbox.services import queue_email
from privacy.models import DataExport
from reviews.models import Review, ReviewFlag, ReviewReply
from therapists.models import Credential, PhotoUpload, Therapist
from therapists.scores import recompute_score
from therapists.services import delete_files_after_commit

logger = logging.getLogger(__name__)

ALREADY_ERASED = "This account has already been deleted. Nothing else was changed."


@dataclass(frozen=True)
class ErasurePlan:
    """What erase_account would do to this person's data, counted now, for the confirmation page."""

    reviews: list[Review]
    flags: int
    requests_sent: int
    appointments_booked: int
    exports: int
    decisions_made: int
    profile: Therapist | None = None
    profile_counts: dict = field(default_factory=dict)

    @property
    def has_reviews(self) -> bool:
        return bool(self.reviews)


def plan_erasure(user: User) -> ErasurePlan:
    profile = Therapist.objects.filter(user=user).first()
    counts = {}
    if profile is not None:
        credentials = Credential.objects.filter(therapist=profile)
        counts = {
            "credentials": credentials.count(),
            "documents": credentials.exclude(document="").count(),
            "opening_hours": profile.opening_hours.count(),
            "reviews": Review.objects.filter(therapist=profile).count(),
            "replies": ReviewReply.objects.filter(review__therapist=profile).count(),
            "requests": AppointmentRequest.objects.sent_to(profile).count(),
            "appointments": Appointment.objects.of_therapist(profile).count(),
            "photo": bool(profile.photo),
        }
    return ErasurePlan(
        reviews=list(Review.objects.filter(author=user).select_related("therapist").newest_first()),
        flags=ReviewFlag.objects.filter(user=user).count(),
        requests_sent=AppointmentRequest.objects.sent_by(user).count(),
        appointments_booked=Appointment.objects.of_client(user).count(),
        exports=DataExport.objects.of(user).count(),
        decisions_made=Decision.objects.filter(actor=user).count(),
        profile=profile,
        profile_counts=counts,
    )


def new_tombstone() -> str:
    """A random id, the same on every log entry of one erased person, derived from nothing about them."""
    return f"erased-{secrets.token_hex(6)}"


def _addressed_to(addresses: set[str]) -> Q:
    to_person = Q(pk__in=[])
    for address in addresses:
        to_person |= Q(to__iexact=address)
    return to_person


@transaction.atomic
def erase_account(
    *, user: User, keep_reviews: bool, requested_by_owner: bool = True, now: datetime | None = None
) -> str:
    """Erase `user` as the module docstring says; returns the tombstone id that replaces them in the log.

    `keep_reviews`: their reviews stay, anonymised, instead of being deleted. `requested_by_owner`:
    the person asked (an entry in the log and a confirmation email); False for the retention job,
    which erases unconfirmed sign-ups silently. Locks the account row first: a second submit of the
    same deletion waits here, then finds nothing and raises ValidationError(ALREADY_ERASED).
    """
    now = now or timezone.now()
    account = User.objects.select_for_update().filter(pk=user.pk).first()
    if account is None:
        raise ValidationError(ALREADY_ERASED)
    tombstone = new_tombstone()
    known = EmailAddress.objects.filter(user=account).values_list("email", flat=True)
    addresses = {account.email.lower(), *(address.lower() for address in known)}
    profile = Therapist.objects.select_for_update().filter(user=account).first()
    written = Review.objects.filter(author=account)
    # The therapists whose scores change; their rows are locked in pk order before any review moves,
    # as the review services do, so this cannot deadlock with a review being published.
    rescored = sorted(set(written.exclude(therapist=profile).values_list("therapist_id", flat=True)))
    list(Therapist.objects.select_for_update().filter(pk__in=rescored).order_by("pk").values_list("pk", flat=True))

    of_profile = Review.objects.filter(therapist=profile) if profile else Review.objects.none()
    credentials = Credential.objects.filter(therapist=profile) if profile else Credential.objects.none()
    erased_reviews = of_profile if keep_reviews else of_profile | written
    targets = [
        ("accounts.user", User.objects.filter(pk=account.pk).values("pk")),
        ("reviews.review", erased_reviews.values("pk")),
        (
            "reviews.reviewreply",
            ReviewReply.objects.filter(Q(author=account) | Q(review__in=erased_reviews)).values("pk"),
        ),
        ("therapists.therapist", Therapist.objects.filter(user=account).values("pk")),
        ("therapists.credential", credentials.values("pk")),
        ("outbox.email", Email.objects.filter(_addressed_to(addresses)).values("pk")),
    ]
    Decision.objects.replace_person(user=account, targets=targets, tombstone=tombstone)

    private_files = [name for name in credentials.values_list("document", flat=True) if name]
    archives = [name for name in DataExport.objects.of(account).values_list("archive", flat=True) if name]
    public_files = [profile.photo.name, profile.photo_thumbnail.name] if profile else []
    # A photo upload a worker has not resized yet waits in the private storage.
    uploads = PhotoUpload.objects.filter(therapist=profile) if profile else PhotoUpload.objects.none()
    upload_files = [name for name in uploads.values_list("original", flat=True) if name]

    plan = plan_erasure(account)
    if keep_reviews:
        written.anonymise(now=now)
    else:
        written.delete()
    Email.objects.filter(_addressed_to(addresses)).delete()
    if requested_by_owner:
        roles = [role for role, held in [("therapist", profile), ("moderator", account.is_moderator)] if held]
        Decision.objects.record(
            actor=None,
            actor_tombstone=tombstone,
            action=Decision.Action.ERASE_ACCOUNT,
            target=account,
            target_repr=f"Account {tombstone}",
            reason="Deleted by its owner, who confirmed with their password.",
            after={
                "roles": ", ".join(roles) or "client",
                "reviews": ("kept anonymised" if keep_reviews else "deleted") if plan.reviews else "none",
                "reviews_written": len(plan.reviews),
                "profile_reviews_erased": plan.profile_counts.get("reviews", 0),
                "decisions_kept": plan.decisions_made,
            },
        )
    # The cascade takes the addresses, flags, requests with their safety answers, appointments,
    # archives and the profile with everything that hangs on it (credentials, hours, reviews of it,
    # replies, score history).
    User.objects.filter(pk=account.pk).delete()
    for therapist_id in rescored:
        recompute_score(therapist_id=therapist_id)

    if requested_by_owner:
        body = render_to_string(
            "privacy/email/account_deleted.txt",
            {"plan": plan, "keep_reviews": keep_reviews, "now": now, "site_url": settings.SITE_URL},
        )
        queue_email(
            to=account.email,
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + "Your account has been deleted",
            body=body,
            kind="privacy.account_deleted",
        )
    private = storages["private"]
    delete_files_after_commit(private, archives)
    if profile is not None:
        delete_files_after_commit(Credential._meta.get_field("document").storage, private_files)
        delete_files_after_commit(profile.photo.storage, public_files)
        delete_files_after_commit(PhotoUpload._meta.get_field("original").storage, upload_files)
    if profile is not None or rescored:
        invalidate_public_pages_on_commit()
    # No personal data in the log line: the tombstone and what kind of account it was.
    logger.info("Account erased as %s (therapist profile: %s)", tombstone, profile is not None)
    return tombstone


def erase_unconfirmed_accounts(*, now: datetime | None = None) -> int:
    """Erase accounts never confirmed UNCONFIRMED_ACCOUNT_KEPT after sign-up (a scheduled task). Returns how many.

    One transaction per account, so one that fails leaves the others erased.
    """
    now = now or timezone.now()
    erased = 0
    for account in User.objects.unconfirmed_since(now - UNCONFIRMED_ACCOUNT_KEPT).only("pk").iterator():
        try:
            erase_account(user=account, keep_reviews=False, requested_by_owner=False, now=now)
        except ValidationError:  # erased meanwhile (the owner, or another run of the job)
            continue
        erased += 1
    return erased
