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
from appointments import clock
from appointments.invitations import use_invitation
from appointments.models import Appointment
from directory.lib.cache import invalidate_therapist_pages_on_commit
from moderation.models import Decision
from reviews import emails, rules
from reviews.models import REPLY_FLAG_REASONS, InsiderRefusal, Review, ReviewFlag, ReviewReply, ReviewReplyFlag
from therapists.models import Modality, Therapist
from therapists.scores import recompute_score


def can_edit(review: Review, now: datetime | None = None) -> bool:
    return (now or timezone.now()) <= review.editable_until


@dataclass(frozen=True)
class Refusal:
    title: str
    message: str
    confirm_email: bool = False


def review_refusal(
    therapist: Therapist, user: User, review: Review | None = None, now: datetime | None = None, *, invited=False
):
    """Why `user` may not write (or, with their `review`, edit) a review of `therapist`; None if they may.

    `invited`: through a review invitation (an attended visit), which may update a review of any age.

    The one statement of the rules: the view shows the refusal as a page, the service raises it.
    """
    if not therapist.is_published:
        return Refusal("This profile is not published", "This profile is not published, so it cannot be reviewed.")
    if therapist.user_id == user.pk:
        return Refusal("This is your own profile", "You cannot review your own profile.")
    if review is not None and review.status == Review.Status.WITHDRAWN:
        return Refusal(
            "You withdrew your review",
            "You withdrew your review of this therapist. One review per client per therapist: a withdrawn "
            "review cannot be written again.",
        )
    if review is not None and review.status == Review.Status.HIDDEN:
        return Refusal(
            "Your review was hidden by a moderator",
            "A moderator hid your review of this therapist, so it can no longer be edited. The email we sent "
            "you says why.",
        )
    if not user.has_confirmed_address():
        return Refusal(
            "Please confirm your email address",
            "Before you write a review, please confirm your email address with the link we sent you.",
            confirm_email=True,
        )
    if review is not None and not invited and not can_edit(review, now):
        return Refusal(
            "Your review can no longer be edited",
            f"Reviews can be edited for {rules.EDIT_WINDOW.days} days after they are published; yours was "
            f"published on {date_format(review.created_at, 'j F Y')}. You can still withdraw it.",
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
    author_display_name: str = "",
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
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    review = _find_review(therapist=therapist, author=author)
    if review is None and not author_display_name.strip():
        author_display_name = author.public_name
    refusal = review_refusal(therapist, author, review, now, invited=appointment is not None)
    if refusal:
        raise ValidationError(refusal.message)
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
    if author_display_name.strip():
        values["author_display_name"] = author_display_name.strip()
    if appointment is not None:
        values["appointment"] = appointment
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
            _publish_or_hold(review, now)
            recompute_score(therapist_id=therapist.pk)
            invalidate_therapist_pages_on_commit(therapist.slug)
            return review
    _edit_review(review, values, now)
    recompute_score(therapist_id=therapist.pk)
    invalidate_therapist_pages_on_commit(therapist.slug)
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


def _publish_or_hold(review: Review, now: datetime) -> None:
    """Log a new review as published, or hold it (and the rest of its burst) for a moderator.

    The burst rule (reviews.rules) counts the therapist's reviews of the window from young accounts,
    this one included; it never looks at the ratings. Reviews held once and then published by a
    moderator keep their held_at and are not held again. The therapist row is locked by the caller,
    so two reviews of the same burst cannot both miss each other.
    """
    author_is_young = review.author.date_joined > now - rules.BURST_YOUNG_ACCOUNT
    burst = Review.objects.in_burst(therapist_id=review.therapist_id, now=now) if author_is_young else None
    if burst is None or burst.count() < rules.BURST_MIN_REVIEWS:
        Decision.objects.record(
            actor=review.author, action=Decision.Action.PUBLISH_REVIEW, target=review,
            after={"status": Review.Status.PUBLISHED},
        )
        return
    to_hold = list(burst.filter(status=Review.Status.PUBLISHED, held_at__isnull=True))
    Review.objects.filter(pk__in=[held.pk for held in to_hold]).update(
        status=Review.Status.HELD, held_at=now, updated_at=now
    )
    reason = (
        f"{burst.count()} reviews within {rules.BURST_WINDOW} from accounts younger than "
        f"{rules.BURST_YOUNG_ACCOUNT.days} days"
    )
    for held in to_hold:
        Decision.objects.record(
            actor=None, action=Decision.Action.HOLD_REVIEW, target=held, reason=reason,
            before={"status": held.status}, after={"status": Review.Status.HELD},
        )
    review.refresh_from_db()
    emails.reviews_held(review_ids=[held.pk for held in to_hold])


def refuse_insider_review(*, therapist: Therapist) -> InsiderRefusal:
    """Count a review refused because its author declared working for, being related to or paid by the therapist.

    Nothing else is stored: not the author, not the text.
    """
    return InsiderRefusal.objects.create(therapist=therapist)


@transaction.atomic
def withdraw_review(*, review: Review, user: User, now: datetime | None = None) -> Review:
    """The author withdraws their review: hidden at once, kept for rules.RETENTION, then its text erased.

    It stops counting toward the score in the same transaction and the withdrawal is logged.
    """
    now = now or timezone.now()
    if review.author_id != user.pk:
        raise ValidationError("You can only withdraw your own review.")
    Therapist.objects.select_for_update().filter(pk=review.therapist_id).first()
    previous = review.status
    applied = Review.objects.filter(
        pk=review.pk, status__in=[Review.Status.PUBLISHED, Review.Status.HELD]
    ).update(status=Review.Status.WITHDRAWN, hidden_reason=rules.WITHDRAWN_REASON, removed_at=now, updated_at=now)
    if not applied:
        raise ValidationError("This review is no longer published, so there is nothing to withdraw.")
    review.refresh_from_db()
    Decision.objects.record(
        actor=user, action=Decision.Action.WITHDRAW_REVIEW, target=review, reason=rules.WITHDRAWN_REASON,
        before={"status": previous}, after={"status": Review.Status.WITHDRAWN},
    )
    rescored = recompute_score(therapist_id=review.therapist_id)
    invalidate_therapist_pages_on_commit(rescored.slug)
    return review


ERASED_TITLE = "Review removed"


@transaction.atomic
def erase_expired_reviews(*, now: datetime | None = None) -> int:
    """Erase the text of reviews hidden or withdrawn more than rules.RETENTION ago (and their replies), and
    of replies hidden that long ago.

    The rows stay, without words, so the counts in the decision log and the transparency table hold.
    Returns how many reviews were erased; run daily by the scheduler.
    """
    now = now or timezone.now()
    # A reply a moderator hid is kept as long as a hidden review, then its text goes the same way.
    ReviewReply.objects.due_for_erasure(now).update(body="", text_erased_at=now, updated_at=now)
    due = list(Review.objects.due_for_erasure(now).select_for_update().values_list("pk", flat=True))
    if not due:
        return 0
    ReviewReply.objects.filter(review_id__in=due).update(body="", updated_at=now)
    return Review.objects.filter(pk__in=due).update(
        title=ERASED_TITLE, body="", author_display_name="A client", text_erased_at=now, updated_at=now
    )


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


HIDDEN_REPLY_REFUSAL = (
    "A moderator hid your reply to this review, so it can no longer be edited. The email we sent you says why."
)


@transaction.atomic
def reply_to_review(*, review: Review, user: User, body: str) -> ReviewReply:
    """Post or edit the reviewed therapist's one public reply to a review.

    A reply a moderator hid stays as it is: editing it would publish new words past the decision.
    """
    if review.therapist.user_id != user.pk:
        raise ValidationError("Only the reviewed therapist can reply to this review.")
    existing = ReviewReply.objects.select_for_update().filter(review=review).first()
    if existing is not None and not existing.is_published:
        raise ValidationError(HIDDEN_REPLY_REFUSAL)
    reply, _ = ReviewReply.objects.update_or_create(review=review, defaults={"author": user, "body": body})
    invalidate_therapist_pages_on_commit(review.therapist.slug)
    return reply


@transaction.atomic
def flag_reply(*, reply: ReviewReply, user: User, reason: str, note: str = "") -> ReviewReplyFlag:
    """Report a therapist's reply to the moderators' queue. It stays visible until a moderator hides it."""
    if reply.author_id == user.pk:
        raise ValidationError("You cannot flag your own reply; you can edit it instead.")
    if reason not in REPLY_FLAG_REASONS:
        raise ValidationError("Choose what is wrong with this reply.")
    if reason == ReviewFlag.Reason.OTHER and not note.strip():
        raise ValidationError("Please say what is wrong with this reply.")
    try:
        with transaction.atomic():
            return ReviewReplyFlag.objects.create(reply=reply, user=user, reason=reason, note=note.strip())
    except IntegrityError:
        raise ValidationError("You have already flagged this reply; the moderators will look at it.") from None
