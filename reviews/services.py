"""Writes on reviews, flags and replies.

Every change to a review rescores its therapist in the same transaction (DESIGN.md, "fresh") and
drops the cached visitor pages after commit.
Each review write locks the therapist row *first*: inserting a review takes a key-share lock on
the therapist (the foreign key check) and recompute_score then asks for an update lock, so two
writers that inserted before locking could deadlock each other. Locking first queues them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from directory.lib.cache import invalidate_public_pages_on_commit
from reviews.models import Review, ReviewFlag, ReviewReply
from therapists.models import Modality, Therapist
from therapists.scores import recompute_score


def can_edit(review: Review, now: datetime | None = None) -> bool:
    return (now or timezone.now()) <= review.editable_until


@dataclass(frozen=True)
class Refusal:
    title: str
    message: str
    confirm_email: bool = False


def review_refusal(therapist: Therapist, user: User, review: Review | None = None, now: datetime | None = None):
    """Why `user` may not write (or, with their `review`, edit) a review of `therapist`; None if they may.

    The one statement of the rules: the view shows the refusal as a page, the service raises it.
    """
    if not therapist.is_published:
        return Refusal("This profile is not published", "This profile is not published, so it cannot be reviewed.")
    if therapist.user_id == user.pk:
        return Refusal("This is your own profile", "You cannot review your own profile.")
    if not user.has_confirmed_address():
        return Refusal(
            "Please confirm your email address",
            "Before you write a review, please confirm your email address with the link we sent you.",
            confirm_email=True,
        )
    if review is not None and not can_edit(review, now):
        return Refusal(
            "Your review can no longer be edited",
            f"Reviews can be edited for 30 days after they are published; yours was published on "
            f"{date_format(review.created_at, 'j F Y')}. You can still delete it, and then write a new one.",
        )
    return None


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
    now: datetime | None = None,
) -> Review:
    """Publish the author's review of the therapist, or edit it if they already wrote one.

    One review per client per therapist: a second submit edits the first. Edits are allowed for
    30 days after the review was first published and set `edited_at` when something changed.
    """
    now = now or timezone.now()
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    review = _find_review(therapist=therapist, author=author)
    refusal = review_refusal(therapist, author, review, now)
    if refusal:
        raise ValidationError(refusal.message)
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
            invalidate_public_pages_on_commit()
            return review
    _edit_review(review, values, now)
    recompute_score(therapist_id=therapist.pk)
    invalidate_public_pages_on_commit()
    return review


def _edit_review(review: Review, values: dict, now: datetime) -> None:
    # The edit window was checked by review_refusal; a review found after a lost insert race is seconds old.
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
    invalidate_public_pages_on_commit()


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
    invalidate_public_pages_on_commit()
    return reply
