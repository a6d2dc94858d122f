"""Sending outbox rows: the claim, the send, and what a failure does to the row. No Celery here.

At most one sender holds a row at a time. The claim is a conditional UPDATE: it matches only a queued,
due row that nobody holds (or whose holder went silent for OUTBOX_CLAIM_SECONDS) and sets claimed_at
and attempts + 1 in one statement, so of two workers handed the same row (a redelivered message, the
sweep) exactly one gets a row count of 1 and sends. Marking the row sent is conditional on that same
claim. One window remains, as with any SMTP client: a sender killed after the server accepted the
message and before the UPDATE commits. Its claim expires and the row is sent again, with the same
Message-ID, which lets mail systems drop the duplicate. Everything else is sent exactly once.
"""

import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import Attachment, Email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What one try did. `retry_in` is set when the row is queued again (seconds until it is due)."""

    outcome: str  # "sent", "retry", "held" (another sender has it), "failed" or "skipped" (nothing to do)
    retry_in: int | None = None


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the given number of failed tries: base, 2 × base, 4 × base … capped."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)


def claim_cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def message_id(email: Email) -> str:
    """The same Message-ID on every try of a row, so a duplicate after a crash can be recognised."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{email.pk}.{int(email.created_at.timestamp())}@{domain}>"


def build_message(email: Email, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        connection=connection,
        headers={"Message-ID": message_id(email)},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def is_permanent(error: Exception) -> bool:
    """True when trying again cannot help: the server refused the recipient or the message itself."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    # A malformed address or header: the row itself is wrong, not the server.
    return isinstance(error, ValueError)


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def deliver_email(*, email_id: int) -> Delivery:
    """Try to send one row, once, if it is due and nobody else holds it."""
    now = timezone.now()
    claimed = (
        Email.objects.due(now=now, claim_expired_before=claim_cutoff(now))
        .filter(pk=email_id, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return held_or_skipped(email_id=email_id, now=now)
    email = Email.objects.get(pk=email_id)
    try:
        build_message(email, connection=get_connection()).send()
    except Exception as error:  # any failure is the row's to record; the caller (a worker) must go on
        return record_failure(email=email, claim=now, error=error)
    with transaction.atomic():
        marked = Email.objects.filter(pk=email_id, claimed_at=now).update(
            status=Email.Status.SENT, sent_at=timezone.now(), claimed_at=None, body="", html_body="", last_error=""
        )
        Attachment.objects.filter(email_id=email_id).delete()
    if not marked:
        # Our claim expired mid-send and another sender took the row: OUTBOX_CLAIM_SECONDS is shorter
        # than a send can take. Say so loudly; it is the only way to send an email twice.
        logger.error("Outbox email %s was sent after its claim expired; it may have been sent twice.", email_id)
    return Delivery("sent")


def held_or_skipped(*, email_id: int, now: datetime) -> Delivery:
    """A row we could not claim: come back when its holder's claim expires, or leave it for good.

    A message redelivered while the killed sender's claim is still running must not be consumed for
    nothing: the try is put off until that claim would expire, and then either the row was sent by
    its holder (skipped) or the holder is gone and this try sends it.
    """
    held_since = (
        Email.objects.queued()
        .filter(pk=email_id, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS, claimed_at__gte=claim_cutoff(now))
        .values_list("claimed_at", flat=True)
        .first()
    )
    if held_since is None:
        return Delivery("skipped")
    expires_in = settings.OUTBOX_CLAIM_SECONDS - (now - held_since).total_seconds()
    return Delivery("held", retry_in=max(math.ceil(expires_in), 1))


def record_failure(*, email: Email, claim: datetime, error: Exception) -> Delivery:
    attempts = email.attempts
    reason = describe(error)
    base = Email.objects.filter(pk=email.pk, claimed_at=claim)
    if is_permanent(error) or attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        base.update(status=Email.Status.FAILED, failed_at=timezone.now(), claimed_at=None, last_error=reason)
        logger.warning("Outbox email %s failed after %s tries: %s", email.pk, attempts, reason)
        return Delivery("failed")
    delay = retry_delay(attempts)
    base.update(claimed_at=None, last_error=reason, next_attempt_at=timezone.now() + timedelta(seconds=delay))
    logger.info("Outbox email %s not sent (try %s), again in %s s: %s", email.pk, attempts, delay, reason)
    return Delivery("retry", retry_in=delay)


def fail_abandoned(*, now: datetime) -> int:
    """Rows whose last permitted try never reported back (the worker died): failed, with that reason."""
    return (
        Email.objects.queued()
        .filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS, claimed_at__lt=claim_cutoff(now))
        .update(
            status=Email.Status.FAILED,
            failed_at=now,
            claimed_at=None,
            last_error="The worker sending it stopped answering on the last permitted try.",
        )
    )


def stale_ids(*, now: datetime, limit: int = 1000) -> list[int]:
    """Queued rows due for OUTBOX_SWEEP_AFTER_SECONDS that nobody has sent, oldest first."""
    overdue = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    rows = Email.objects.due(now=overdue, claim_expired_before=claim_cutoff(now)).filter(
        attempts__lt=settings.OUTBOX_MAX_ATTEMPTS
    )
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def purge_old(*, now: datetime) -> int:
    """Sent and failed rows are kept OUTBOX_KEEP_DAYS for the record, then deleted."""
    cutoff = now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    _, deleted = Email.objects.exclude(status=Email.Status.QUEUED).filter(created_at__lt=cutoff).delete()
    return deleted.get(Email._meta.label, 0)
