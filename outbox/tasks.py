"""The outbox's Celery tasks: send one row, and the periodic sweep (beat, every OUTBOX_SWEEP_EVERY_SECONDS)."""

import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outbox import delivery

logger = logging.getLogger(__name__)


# acks_late: a worker killed while sending leaves the message to be redelivered; the row's claim
# decides whether the new try may send. The hard time limit ends a stuck send well before its claim
# expires, so no other sender can take a row while it is still being sent.
@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=max(settings.OUTBOX_CLAIM_SECONDS // 2, 1),
    time_limit=max(settings.OUTBOX_CLAIM_SECONDS * 3 // 4, 2),
)
def send_email(self, email_id: int) -> str:
    result = delivery.deliver_email(email_id=email_id)
    if result.retry_in is not None and not self.request.is_eager:
        # The row already says when it is due; this message is what makes it happen on time. The
        # number of tries lives in the row, so Celery's own retry count is not the limit.
        raise self.retry(countdown=result.retry_in, max_retries=None)
    # Eager (no broker): no in-process retry loop on the request path; the sweep tries it when due.
    return result.outcome


def queue_send(email_id: int) -> bool:
    """Hand a row to a worker (or send it now, when eager). False when the broker did not take it.

    Never raises: the row is committed, so whatever the broker does, the sweep will send it later.
    """
    try:
        send_email.delay(email_id)
    except Exception:  # Redis down, a timeout, a refused connection: all are the sweep's to repair
        logger.warning("Could not queue outbox email %s; the sweep will send it.", email_id, exc_info=True)
        return False
    return True


@dataclass(frozen=True)
class Sweep:
    queued: int
    failed: int
    purged: int
    broker_down: bool


@shared_task(ignore_result=True)
def sweep_outbox() -> Sweep:
    """Re-queue rows nobody sent, fail rows whose last try died with its worker, drop old rows."""
    now = timezone.now()
    failed = delivery.fail_abandoned(now=now)
    queued = 0
    broker_down = False
    for email_id in delivery.stale_ids(now=now):
        if not queue_send(email_id):
            broker_down = True
            break
        queued += 1
    purged = delivery.purge_old(now=now)
    if queued or failed or broker_down:
        logger.info(
            "Outbox sweep: %s re-queued, %s failed, %s purged, broker down: %s", queued, failed, purged, broker_down
        )
    return Sweep(queued=queued, failed=failed, purged=purged, broker_down=broker_down)
