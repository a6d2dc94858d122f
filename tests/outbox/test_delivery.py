"""Sending rows to a real SMTP server on loopback: the claim, retries with backoff, failure after N tries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outbox.delivery import deliver_email, retry_delay
from outbox.models import Email
from outbox.services import queue_email
from outbox.tasks import send_email
from tests.factories import EmailFactory
from tests.outbox.smtp import refusing_port, smtp_sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    """Point Django at a real SMTP server: settings.EMAIL_PORT is set by the test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 10
    return settings


def _due_now(email):
    """Jump to the row's next try instead of waiting for its backoff."""
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_row_is_delivered_to_the_smtp_server_once(smtp):
    email = EmailFactory(subject="Your licence is verified", body="Good news.")
    with smtp_sink() as (sink, port):
        smtp.EMAIL_PORT = port
        assert deliver_email(email_id=email.pk).outcome == "sent"
        assert deliver_email(email_id=email.pk).outcome == "skipped"
        send_email.delay(email.pk)
        [message] = sink.messages()
    assert message["Subject"] == "Your licence is verified"
    assert message["To"] == email.to
    assert message.get_payload().strip() == "Good news."
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 1)


def test_smtp_down_puts_the_row_back_with_backoff(smtp):
    smtp.EMAIL_PORT = refusing_port()
    smtp.OUTBOX_RETRY_BASE_SECONDS = 60
    email = EmailFactory()
    before = timezone.now()
    result = deliver_email(email_id=email.pk)
    assert (result.outcome, result.retry_in) == ("retry", 60)
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED
    assert email.attempts == 1
    assert email.claimed_at is None
    assert "ConnectionRefusedError" in email.last_error
    assert before + timedelta(seconds=59) < email.next_attempt_at < timezone.now() + timedelta(seconds=61)
    # Not due yet: a second message for the row (a redelivery, the sweep) does nothing.
    assert deliver_email(email_id=email.pk).outcome == "skipped"
    email.refresh_from_db()
    assert email.attempts == 1


def test_backoff_doubles_up_to_its_cap_then_the_row_fails(smtp):
    smtp.EMAIL_PORT = refusing_port()
    smtp.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp.OUTBOX_RETRY_MAX_SECONDS = 300
    smtp.OUTBOX_MAX_ATTEMPTS = 5
    email = EmailFactory()
    delays = []
    for _ in range(4):
        delays.append(deliver_email(email_id=email.pk).retry_in)
        _due_now(email)
    assert delays == [60, 120, 240, 300]
    assert deliver_email(email_id=email.pk).outcome == "failed"
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == 5
    assert email.failed_at is not None
    assert "ConnectionRefusedError" in email.last_error
    assert email.body == "Hello."  # kept, so a moderator can send it again
    _due_now(email)
    assert deliver_email(email_id=email.pk).outcome == "skipped"


def test_retry_delay_is_base_doubling_and_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 200
    assert [retry_delay(attempts) for attempts in range(1, 6)] == [30, 60, 120, 200, 200]


def test_recipient_refused_by_the_server_fails_at_once(smtp):
    email = EmailFactory()
    with smtp_sink(reject_with="550 5.1.1 No such user") as (sink, port):
        smtp.EMAIL_PORT = port
        assert deliver_email(email_id=email.pk).outcome == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.FAILED, 1)
    assert "No such user" in email.last_error
    assert sink.messages() == []


def test_temporary_refusal_is_retried(smtp):
    email = EmailFactory()
    with smtp_sink(reject_with="451 4.7.1 Greylisted, try later") as (_sink, port):
        smtp.EMAIL_PORT = port
        assert deliver_email(email_id=email.pk).outcome == "retry"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)


def test_row_held_by_another_sender_is_tried_again_when_the_claim_expires(settings):
    settings.OUTBOX_CLAIM_SECONDS = 60
    email = EmailFactory(claimed_at=timezone.now() - timedelta(seconds=5))
    result = deliver_email(email_id=email.pk)
    assert result.outcome == "held"
    assert 55 <= result.retry_in <= 56
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.attempts == 0


def test_row_whose_sender_went_silent_is_claimed_again(settings):
    settings.OUTBOX_CLAIM_SECONDS = 600
    email = EmailFactory(claimed_at=timezone.now() - timedelta(seconds=601), attempts=1)
    assert deliver_email(email_id=email.pk).outcome == "sent"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)


def test_sent_and_failed_rows_are_never_sent_again():
    for email in (EmailFactory(sent=True), EmailFactory(failed=True)):
        assert deliver_email(email_id=email.pk).outcome == "skipped"
    assert mail.outbox == []


def test_eager_send_with_smtp_down_does_not_retry_in_process(smtp, django_capture_on_commit_callbacks):
    """Without a broker the request path makes one try; the row waits for the sweep."""
    smtp.EMAIL_PORT = refusing_port()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(to="ana@example.com", subject="Hi", body="Hello.")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
