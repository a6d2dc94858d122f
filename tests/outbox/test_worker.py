"""Reliability of the outbox with real Celery workers on the machine's Redis (not eager mode).

Run by `make test-postgres` (CI's PostgreSQL + Redis step), which sets CELERY_TEST_BROKER_URL and
REQUIRE_WORKER_TESTS; skipped on the SQLite run, whose in-memory test database no worker can share.
"""

import os
import time

import pytest
import redis
from django.db import transaction

from directory.celery import app
from outbox.models import Email
from outbox.services import queue_email
from outbox.tasks import send_email
from tests.outbox.smtp import refusing_port, smtp_sink
from tests.outbox.workers import broker_is_idle, celery_worker, wait_until

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not BROKER_URL and not os.environ.get("REQUIRE_WORKER_TESTS"),
        reason="needs Redis for a real worker: set CELERY_TEST_BROKER_URL (make test-postgres does)",
    ),
]


@pytest.fixture
def broker(transactional_db):
    """An empty Redis db as the broker, and this process publishing to it instead of running tasks eagerly."""
    assert BROKER_URL, "REQUIRE_WORKER_TESTS is set but CELERY_TEST_BROKER_URL is not"
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    publish_to(BROKER_URL)
    yield BROKER_URL
    publish_to("memory://")
    app.conf.task_always_eager = True
    client.flushdb()
    client.close()


def publish_to(url: str) -> None:
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    # Connection pools are built from the URL on first use; drop them so the next publish uses this one.
    app._pool = None
    app.amqp._producer_pool = None


def smtp_env(port: int, **outbox) -> dict:
    return {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "30",
        **{f"OUTBOX_{key.upper()}": str(value) for key, value in outbox.items()},
    }


def queue_one(**overrides) -> Email:
    with transaction.atomic():
        return queue_email(
            **{"to": "ana@example.com", "subject": "Your licence is verified", "body": "Good news."} | overrides
        )


def test_real_worker_delivers_an_email_once(broker, tmp_path):
    with smtp_sink() as (sink, port), celery_worker(
        name="deliver", broker_url=broker, log_dir=tmp_path, env=smtp_env(port)
    ) as worker:
        email = queue_one()
        wait_until(lambda: sink.messages(), message="the email at the SMTP server", log=worker.log)
        wait_until(lambda: broker_is_idle(broker), message="the queue to drain", log=worker.log)
        email.refresh_from_db()
        [message] = sink.messages()
    assert message["Subject"] == "Your licence is verified"
    assert (email.status, email.attempts) == (Email.Status.SENT, 1)


def test_worker_killed_while_sending_then_a_new_worker_sends_exactly_once(broker, tmp_path):
    """SIGKILL mid-send: acks_late redelivers the message, the expired claim lets the new worker send.

    A duplicate message for the sent row is then consumed without a second email: the row's guard.
    """
    # The claim (4 s) expires before the broker redelivers (visibility 5 s); its hard time limit is 3 s.
    timing = {"CELERY_VISIBILITY_TIMEOUT": "5"}
    with smtp_sink(stall_first=True) as (sink, port):
        env = smtp_env(port, claim_seconds=4) | timing
        with celery_worker(name="doomed", broker_url=broker, log_dir=tmp_path, env=env) as doomed:
            email = queue_one()
            wait_until(sink.stalled.is_set, message="the first worker to be mid-send", log=doomed.log)
            doomed.kill()
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
        assert email.claimed_at is not None
        assert not broker_is_idle(broker), "the killed worker's message must still be unacknowledged"

        # No beat in this worker: only the redelivered message can send the row.
        with celery_worker(name="heir", broker_url=broker, log_dir=tmp_path, env=env) as heir:
            wait_until(lambda: sink.messages(), message="the redelivered email", log=heir.log)
            wait_until(lambda: broker_is_idle(broker), message="the queue to drain", log=heir.log)
            send_email.delay(email.pk)  # a second message for the same row, as a crash before the ack leaves
            wait_until(lambda: broker_is_idle(broker), message="the duplicate to be consumed", log=heir.log)
            assert b"outbox.tasks.send_email" in heir.log.read_bytes()
        assert len(sink.messages()) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)


def test_smtp_down_is_retried_with_backoff_then_failed(broker, tmp_path):
    env = smtp_env(refusing_port(), max_attempts=3, retry_base_seconds=1, retry_max_seconds=60)
    with celery_worker(name="nosmtp", broker_url=broker, log_dir=tmp_path, env=env) as worker:
        started = time.monotonic()
        email = queue_one()
        queued_in = time.monotonic() - started
        wait_until(
            lambda: Email.objects.filter(pk=email.pk, status=Email.Status.FAILED).exists(),
            message="the row to fail",
            log=worker.log,
        )
    email.refresh_from_db()
    assert email.attempts == 3
    assert "ConnectionRefusedError" in email.last_error
    # Tries at 0, +1 s and +2 s after that: the last one no sooner than 3 s after the row was queued.
    assert (email.failed_at - email.created_at).total_seconds() >= 3
    assert queued_in < 5, "queueing must not wait for SMTP"


def test_redis_down_at_request_time_the_sweep_sends_it_later(broker, tmp_path):
    publish_to(f"redis://127.0.0.1:{refusing_port()}/0")
    started = time.monotonic()
    email = queue_one()  # commits; publishing fails and is logged, not raised
    assert time.monotonic() - started < 10
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 0)

    publish_to(broker)  # Redis is back
    with smtp_sink() as (sink, port):
        env = smtp_env(port, sweep_every_seconds=1, sweep_after_seconds=1)
        with celery_worker(name="sweeper", broker_url=broker, log_dir=tmp_path, env=env, beat=True) as worker:
            wait_until(lambda: sink.messages(), message="the swept email", log=worker.log)
            wait_until(
                lambda: Email.objects.filter(pk=email.pk, status=Email.Status.SENT).exists(),
                message="the row marked sent",
                log=worker.log,
            )
        assert len(sink.messages()) == 1
