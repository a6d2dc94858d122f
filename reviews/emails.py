"""Emails about reviews, queued in the outbox inside the write's transaction (a rolled-back write
takes its emails with it). Each function takes ids and reads the rows again, after the UPDATE."""

from django.conf import settings
from django.template.loader import render_to_string

from outbox.services import queue_email
from reviews import rules
from reviews.models import Review


def _send(*, template: str, subject: str, to: str, context: dict) -> None:
    if not to:
        return
    body = render_to_string(f"reviews/email/{template}.txt", context)
    queue_email(to=to, subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, kind=f"reviews.{template}")


def reviews_held(*, review_ids: list[int]) -> None:
    """Tell each author that their review waits for a moderator, and the therapist once for the burst."""
    reviews = list(Review.objects.filter(pk__in=review_ids).select_related("author", "therapist__user"))
    if not reviews:
        return
    therapist = reviews[0].therapist
    context = {"therapist": therapist, "rules": rules, "window_minutes": int(rules.BURST_WINDOW.total_seconds() // 60)}
    for review in reviews:
        _send(
            template="review_held_author",
            subject="Your review is waiting for a moderator",
            to=review.author.email if review.author else "",  # none once anonymised
            context={**context, "review": review},
        )
    _send(
        template="review_held_therapist",
        subject=f"{len(reviews)} new review{'s' if len(reviews) != 1 else ''} of your profile held for a moderator",
        to=therapist.user.email,
        context={**context, "count": len(reviews)},
    )


def held_review_published(*, review_id: int) -> None:
    """A moderator published a held review: its author's wait is over."""
    review = Review.objects.select_related("author", "therapist").get(pk=review_id)
    _send(
        template="held_review_published",
        subject="Your review is published",
        to=review.author.email if review.author else "",  # none once anonymised
        context={"review": review, "therapist": review.therapist},
    )
