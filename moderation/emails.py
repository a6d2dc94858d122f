"""Notifications about moderation decisions, queued in the outbox inside the decision's transaction.

Each function takes an id and reads the row again, after the decision's UPDATE, so the email says
what the transaction commits; a rolled-back decision takes its email row with it.
"""

from django.conf import settings
from django.template.loader import render_to_string

from outbox.services import queue_email
from reviews.models import Review, ReviewReply
from therapists.models import Credential, Therapist


def _send(*, template: str, subject: str, to: str, context: dict) -> None:
    if not to:
        return
    body = render_to_string(f"moderation/email/{template}.txt", context)
    queue_email(
        to=to, subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, kind=f"moderation.{template}"
    )


def _credential(credential_id: int) -> Credential:
    return Credential.objects.select_related("therapist__user").get(pk=credential_id)


def credential_verified(*, credential_id: int) -> None:
    credential = _credential(credential_id)
    _send(
        template="credential_verified",
        subject=f"Your {credential.get_kind_display().lower()} is verified",
        to=credential.therapist.user.email,
        context={"credential": credential, "therapist": credential.therapist},
    )


def credential_rejected(*, credential_id: int) -> None:
    credential = _credential(credential_id)
    _send(
        template="credential_rejected",
        subject=f"Your {credential.get_kind_display().lower()} could not be verified",
        to=credential.therapist.user.email,
        context={"credential": credential, "therapist": credential.therapist},
    )


def credential_revoked(*, credential_id: int) -> None:
    credential = _credential(credential_id)
    _send(
        template="credential_revoked",
        subject=f"The verification of your {credential.get_kind_display().lower()} was withdrawn",
        to=credential.therapist.user.email,
        context={"credential": credential, "therapist": credential.therapist},
    )


def review_hidden(*, review_id: int) -> None:
    """Tell the review's author and the reviewed therapist; each gets the email meant for them."""
    review = Review.objects.select_related("author", "therapist__user").get(pk=review_id)
    context = {"review": review, "therapist": review.therapist}
    # An anonymised review ("A former client") has no author left to tell.
    author_email = review.author.email if review.author else ""
    _send(template="review_hidden_author", subject="Your review was hidden", to=author_email, context=context)
    _send(
        template="review_hidden_therapist",
        subject="A review of your profile was hidden",
        to=review.therapist.user.email,
        context=context,
    )


def reply_hidden(*, reply_id: int) -> None:
    """Tell the therapist why their reply is no longer shown (the review's author needs no email: it protects them)."""
    reply = ReviewReply.objects.select_related("author", "review__therapist").get(pk=reply_id)
    _send(
        template="reply_hidden_therapist",
        subject="Your reply to a review was hidden",
        to=reply.author.email,
        context={
            "reply": reply,
            "review": reply.review,
            "therapist": reply.review.therapist,
            "site_url": settings.SITE_URL,
        },
    )


def therapist_suspended(*, therapist_id: int) -> None:
    therapist = Therapist.objects.select_related("user").get(pk=therapist_id)
    _send(
        template="therapist_suspended",
        subject="Your profile is suspended",
        to=therapist.user.email,
        context={"therapist": therapist},
    )
