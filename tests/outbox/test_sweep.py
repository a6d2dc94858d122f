from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from outbox.models import Email
from outbox.tasks import sweep_outbox
from tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sweep_settings(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 180
    settings.OUTBOX_CLAIM_SECONDS = 600
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_KEEP_DAYS = 30


def _ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_sweep_sends_rows_nobody_sent_for_a_few_minutes():
    forgotten = EmailFactory(next_attempt_at=_ago(minutes=4), created_at=_ago(minutes=4))
    sweep = sweep_outbox()
    assert sweep.queued == 1
    assert [message.to for message in mail.outbox] == [[forgotten.to]]
    forgotten.refresh_from_db()
    assert forgotten.status == Email.Status.SENT


def test_sweep_leaves_fresh_future_and_held_rows_alone():
    EmailFactory(next_attempt_at=_ago(seconds=30))  # its own task is on the way
    EmailFactory(next_attempt_at=timezone.now() + timedelta(minutes=5))  # backing off
    EmailFactory(next_attempt_at=_ago(minutes=10), claimed_at=_ago(minutes=1))  # being sent right now
    EmailFactory(next_attempt_at=_ago(minutes=10), sent=True)
    EmailFactory(next_attempt_at=_ago(minutes=10), failed=True)
    assert sweep_outbox().queued == 0
    assert mail.outbox == []


def test_sweep_takes_over_a_row_whose_sender_died():
    email = EmailFactory(next_attempt_at=_ago(minutes=20), claimed_at=_ago(minutes=11), attempts=1)
    assert sweep_outbox().queued == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)


def test_sweep_fails_a_row_whose_last_try_died_with_its_worker():
    email = EmailFactory(next_attempt_at=_ago(minutes=20), claimed_at=_ago(minutes=11), attempts=3)
    sweep = sweep_outbox()
    assert (sweep.failed, sweep.queued) == (1, 0)
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "stopped answering" in email.last_error
    assert mail.outbox == []


def test_sweep_deletes_finished_rows_older_than_the_retention():
    old_sent = EmailFactory(sent=True, created_at=_ago(days=31))
    old_failed = EmailFactory(failed=True, created_at=_ago(days=31))
    recent_sent = EmailFactory(sent=True, created_at=_ago(days=29))
    old_queued = EmailFactory(created_at=_ago(days=31), next_attempt_at=timezone.now() + timedelta(hours=1))
    assert sweep_outbox().purged == 2
    remaining = set(Email.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, old_queued.pk}
    assert old_sent.pk not in remaining and old_failed.pk not in remaining


def test_sweep_outbox_command_says_what_it_did():
    EmailFactory(next_attempt_at=_ago(minutes=5))
    EmailFactory(next_attempt_at=_ago(minutes=5))
    out = StringIO()
    call_command("sweep_outbox", stdout=out)
    assert out.getvalue().strip() == "2 emails queued again, 0 failed, 0 old rows deleted."
    assert len(mail.outbox) == 2
