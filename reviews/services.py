"""Writes on reviews, flags and replies.

Every change to a review rescores its therapist in the same transaction (DESIGN.md, "fresh").
Each review write locks the therapist row *first*: inserting a review takes a key-share lock on
the therapist (the foreign key check) and recompute_score then asks for an update lock, so two
writers that inserted before locking could deadlock each other. Locking first queues them.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from appointments import clock
from appointments.invitations import use_invitation
from appointments.models import Appointment
from reviews.models import Review, ReviewFlag, ReviewReply
from therapists.models import Modality, Therapist
from therapists.scores import recompute_score

EDIT_WINDOW = timedelta(days=30)


def can_edit(review: Review, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - review.created_at <= EDIT_WINDOW


def _lock_reviewable_therapist(therapist: Therapist, author: User) -> Therapist:
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    if not therapist.is_published:
        raise ValidationError("This profile is not published, so it cannot be reviewed.")
    if therapist.user_id == author.pk:
        raise ValidationError("You cannot review your own profile.")
    if not author.has_confirmed_email:
        raise ValidationError("Please confirm your email address before writing a review.")
    return therapist


def _find_review(*, therapist: Therapist, author: User) -> Review | None:
    return Review.objects.select_for_update().filter(therapist=therapist, author=author).first()


@transaction.atomic
def publish_review(
    *,
    therapist: Therapist,
    author: User,
    rating: int,
    title: str,
    body: str,
    visit_date: date,
    consultation_given: bool,
    unwanted_effects: bool,
    aftercare_given: bool,
    modality: Modality | None = None,
    appointment: Appointment | None = None,
    now: datetime | None = None,
) -> Review:
    """Publish the author's review of the therapist, or edit it if they already wrote one.

    One review per client per therapist: a second submit edits the first. Edits are allowed for
    30 days after the review was first published and set `edited_at` when something changed.
    With `appointment` (read from a review invitation, appointments.invitations) the invitation is
    used up in this transaction and the review is tied to that visit ("Verified visit"); a later
    visit's invitation may update an older review, whatever its age.
    """
    now = now or timezone.now()
    therapist = _lock_reviewable_therapist(therapist, author)
    if appointment is not None:
        if appointment.therapist_id != therapist.pk or appointment.client_id != author.pk:
            raise ValidationError("This invitation is for a visit to another therapist.")
        use_invitation(appointment, now=clock.now())
    if modality is not None and not therapist.modalities.filter(pk=modality.pk).exists():
        raise ValidationError("Choose a massage type this therapist offers.")
    values = {
        "rating": rating,
        "title": title,
        "body": body,
        "modality": modality,
        "visit_date": visit_date,
        "consultation_given": consultation_given,
        "unwanted_effects": unwanted_effects,
        "aftercare_given": aftercare_given,
    }
    if appointment is not None:
        values["appointment"] = appointment
    review = _find_review(therapist=therapist, author=author)
    if review is None:
        try:
            # A savepoint, so a lost insert race leaves the outer transaction usable.
            with transaction.atomic():
                review = Review.objects.create(therapist=therapist, author=author, created_at=now, **values)
        except IntegrityError:
            # The unique constraint caught a second insert (a double-clicked submit that got
            # past the lookup): the first one won, so this submit edits it.
            review = Review.objects.select_for_update().get(therapist=therapist, author=author)
        else:
            recompute_score(therapist_id=therapist.pk)
            return review
    _edit_review(review, values, now, invited=appointment is not None)
    recompute_score(therapist_id=therapist.pk)
    return review


def _edit_review(review: Review, values: dict, now: datetime, *, invited: bool = False) -> None:
    if not invited and not can_edit(review, now):
        raise ValidationError(
            "Reviews can be edited for 30 days after they are published; this one can no longer be changed."
        )
    changed = [field for field, value in values.items() if getattr(review, field) != value]
    if not changed:
        # A repeated submit of the same answers is not an edit worth marking.
        return
    for field in changed:
        setattr(review, field, values[field])
    review.edited_at = now
    review.save(update_fields=[*changed, "edited_at", "updated_at"])


@transaction.atomic
def delete_review(*, review: Review, user: User) -> None:
    """Delete the user's own review and rescore the therapist."""
    if review.author_id != user.pk:
        raise ValidationError("You can only delete your own review.")
    Therapist.objects.select_for_update().filter(pk=review.therapist_id).first()
    therapist_id = review.therapist_id
    Review.objects.filter(pk=review.pk).delete()
    recompute_score(therapist_id=therapist_id)


@transaction.atomic
def flag_review(*, review: Review, user: User, reason: str, note: str = "") -> ReviewFlag:
    """Report a review to the moderators' queue. The review stays visible until a moderator hides it."""
    if review.author_id == user.pk:
        raise ValidationError("You cannot flag your own review.")
    if reason == ReviewFlag.Reason.OTHER and not note.strip():
        raise ValidationError("Please say what is wrong with this review.")
    try:
        with transaction.atomic():
            return ReviewFlag.objects.create(review=review, user=user, reason=reason, note=note.strip())
    except IntegrityError:
        raise ValidationError("You have already flagged this review; the moderators will look at it.") from None


@transaction.atomic
def reply_to_review(*, review: Review, user: User, body: str) -> ReviewReply:
    """Post or edit the reviewed therapist's one public reply to a review."""
    if review.therapist.user_id != user.pk:
        raise ValidationError("Only the reviewed therapist can reply to this review.")
    reply, _ = ReviewReply.objects.update_or_create(review=review, defaults={"author": user, "body": body})
    return reply
