from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from outbox.delivery import message_id
from outbox.models import Attachment, Email
from outbox.services import MAX_ATTACHMENT_BYTES, queue_email
from tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _queue(**overrides):
    return queue_email(
        **{"to": "ana@example.com", "subject": "Your licence is verified", "body": "Good news.", "kind": "tests.x"}
        | overrides
    )


def test_row_is_written_and_nothing_is_sent_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
        assert Email.objects.get() == email
        assert email.status == Email.Status.QUEUED
        assert mail.outbox == []
    [sent] = mail.outbox
    assert sent.to == ["ana@example.com"]
    assert sent.subject == "Your licence is verified"
    assert sent.body == "Good news."


def test_sent_row_records_the_try_and_erases_the_content(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(html_body="<p>Good news.</p>", attachments=[("a.ics", "BEGIN:VCALENDAR", "text/calendar")])
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.sent_at is not None
    assert email.attempts == 1
    assert email.claimed_at is None
    assert (email.body, email.html_body) == ("", "")
    assert not Attachment.objects.exists()
    assert email.subject == "Your licence is verified"


def test_rolled_back_transaction_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        _queue()
        raise Rollback
    assert not Email.objects.exists()
    assert mail.outbox == []


def test_html_alternative_and_attachments_are_delivered(django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        _queue(
            html_body="<p>Good <b>news</b>.</p>",
            attachments=[("visit.ics", ics, "text/calendar"), ("note.bin", b"\x00\x01", "application/octet-stream")],
        )
    [sent] = mail.outbox
    assert sent.alternatives[0][:2] == ("<p>Good <b>news</b>.</p>", "text/html")
    names = [(attachment[0], attachment[2]) for attachment in sent.attachments]
    assert names == [("visit.ics", "text/calendar"), ("note.bin", "application/octet-stream")]
    assert sent.attachments[0][1] == ics
    assert sent.attachments[1][1] == b"\x00\x01"


def test_every_try_of_a_row_carries_the_same_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == message_id(email) == message_id(Email.objects.get(pk=email.pk))
    assert message_id(email).startswith(f"<outbox.{email.pk}.")


def test_one_row_per_recipient():
    first, second = _queue(to="ana@example.com"), _queue(to="ben@example.com")
    assert sorted(Email.objects.values_list("to", flat=True)) == ["ana@example.com", "ben@example.com"]
    assert first.pk != second.pk


@pytest.mark.parametrize("subject", ["Hello\nBcc: victim@example.com", "Hello\r\nX: y"])
def test_subject_with_a_line_break_is_refused_and_writes_nothing(subject):
    with pytest.raises(ValueError, match="line break"):
        _queue(subject=subject)
    assert not Email.objects.exists()


def test_missing_recipient_is_refused():
    with pytest.raises(ValueError, match="recipient"):
        _queue(to="  ")
    assert not Email.objects.exists()


def test_attachments_over_the_limit_are_refused_and_write_nothing():
    with pytest.raises(ValueError, match="MB"):
        _queue(attachments=[("big.bin", b"x" * (MAX_ATTACHMENT_BYTES + 1), "application/octet-stream")])
    assert not Email.objects.exists()
    assert not Attachment.objects.exists()


def test_database_refuses_a_row_without_recipient():
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailFactory(to="")


def test_database_refuses_a_sent_row_without_sent_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailFactory(status=Email.Status.SENT, sent_at=None)


def test_database_refuses_a_failed_row_without_failed_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailFactory(status=Email.Status.FAILED)


def test_queued_row_is_due_from_its_creation():
    email = _queue()
    assert email.next_attempt_at - email.created_at < timedelta(seconds=1)
