"""Emails about reviews the review services send: queued after the write commits, so a rolled-back
write tells nobody anything. Each function takes an id and reads the row again."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from reviews import rules
from reviews.models import Review


def _send(*, template: str, subject: str, to: str, context: dict) -> None:
    if not to:
        return
    body = render_to_string(f"reviews/email/{template}.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [to])


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
            to=review.author.email,
            context={**context, "review": review},
        )
    _send(
        template="review_held_therapist",
        subject=f"{len(reviews)} new review{'s' if len(reviews) != 1 else ''} of your profile held for a moderator",
        to=therapist.user.email,
        context={**context, "count": len(reviews)},
    )
