"""Queue an email: the one way the application sends mail.

    from outbox.services import queue_email

    @transaction.atomic
    def confirm_appointment(*, appointment, therapist):
        ...                                            # change the rows
        queue_email(
            to=appointment.client.email,
            subject="Your appointment on 3 March is confirmed",
            body=render_to_string("appointments/email/confirmed.txt", context),
            html_body=None,                            # optional text/html alternative
            attachments=[("appointment.ics", ics_text, "text/calendar; method=REQUEST; charset=utf-8")],
            kind="appointments.confirmed",
        )

What `queue_email` promises:
- **Same transaction.** It writes an `outbox.Email` row in the caller's transaction: rolled back
  with the change that caused it, committed with it. Nothing is sent before the commit. On commit a
  send task is queued (with no broker configured it runs in-process right then). If the broker is
  down the request still succeeds: the row waits for the sweep (`outbox.tasks.sweep_outbox`, every
  few minutes through beat, or `manage.py sweep_outbox` from cron).
- **One recipient per row.** `to` is one address. Call it once per person: each delivery is retried
  and failed on its own, and nobody sees another recipient's address.
- **Sent at most once, retried, then failed.** A conditional UPDATE on `claimed_at` lets one sender
  try a row at a time (see outbox/delivery.py). An SMTP failure puts the row back with exponential
  backoff (OUTBOX_RETRY_BASE_SECONDS, doubling, capped at OUTBOX_RETRY_MAX_SECONDS); after
  OUTBOX_MAX_ATTEMPTS tries, or at once when the server refuses the recipient (5xx), the row is
  failed with the error, and moderators see it on the moderation home page.
- **Content is final.** Render templates before calling: the email says what was true when the
  transaction committed. `subject` is one line (a line break raises ValueError). `body` is plain
  text and always sent; `html_body` is its HTML alternative. Once sent, the body, HTML and
  attachments are erased from the row (sign-in and reset links must not outlive their delivery);
  who, what subject, when and how many tries stay for OUTBOX_KEEP_DAYS.
- **Attachments** are `(filename, content, mimetype)` triples, as `EmailMessage.attach()` takes
  them; `str` content is stored as UTF-8. At most MAX_ATTACHMENT_BYTES in all, or ValueError.
- **kind** is a dotted name of what caused the email ("moderation.review_hidden",
  "account.password_reset"), shown to moderators and in the admin; nothing depends on it.

Returns the saved row.
"""

from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from outbox.models import Attachment, Email
from outbox.tasks import queue_send

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    kind: str = "",
) -> Email:
    to = (to or "").strip()
    if not to:
        raise ValueError("queue_email needs a recipient address.")
    if "\n" in subject or "\r" in subject:
        raise ValueError("An email subject is one line; it must not contain a line break.")
    files = [
        Attachment(filename=name, mimetype=mimetype, content=content.encode() if isinstance(content, str) else content)
        for name, content, mimetype in attachments
    ]
    if sum(len(file.content) for file in files) > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"Attachments may take at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB in all.")
    with transaction.atomic():
        email = Email.objects.create(
            kind=kind, to=to, subject=subject, body=body, html_body=html_body or "", next_attempt_at=timezone.now()
        )
        for file in files:
            file.email = email
        Attachment.objects.bulk_create(files)
        # robust: a broker that raises must not turn a committed request into an error page.
        transaction.on_commit(partial(queue_send, email.pk), robust=True)
    return email


@transaction.atomic
def requeue_email(*, email: Email) -> Email:
    """Send a failed email again from its first try (a moderator fixed the cause). Returns it queued."""
    updated = Email.objects.failed().filter(pk=email.pk).update(
        status=Email.Status.QUEUED, failed_at=None, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if not updated:
        raise ValidationError("This email is no longer failed: it was already sent again. Nothing was changed.")
    transaction.on_commit(partial(queue_send, email.pk), robust=True)
    email.refresh_from_db()
    return email
