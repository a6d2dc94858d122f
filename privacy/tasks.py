"""The privacy app's tasks: build one archive, and the retention jobs beat runs (CELERY_BEAT_SCHEDULE).

Without beat, `manage.py privacy_jobs` runs the scheduled ones once (cron, hourly).
"""

import logging

from celery import shared_task
from django.utils import timezone

from privacy import erasure, export
from privacy.models import DataExport

logger = logging.getLogger(__name__)


# acks_late: a worker killed while building leaves the message to be redelivered; build_export
# keeps only one archive however often it runs.
@shared_task(acks_late=True, ignore_result=True)
def build_export(export_id: int) -> None:
    export.build_export(export_id=export_id)


def queue_build(export_id: int) -> bool:
    """Hand the build to a worker (or run it now, when eager). Never raises: the sweep retries it."""
    try:
        build_export.delay(export_id)
    except Exception:  # the broker is down: sweep_exports builds it later
        logger.warning("Could not queue data export %s; the sweep will build it.", export_id, exc_info=True)
        return False
    return True


@shared_task(ignore_result=True)
def sweep_exports() -> int:
    """Hourly: delete expired download links with their archives, and build requests a lost task left pending."""
    now = timezone.now()
    purged = export.purge_expired_exports(now=now)
    for export_id in DataExport.objects.stalled(now).values_list("pk", flat=True):
        if not queue_build(export_id):
            break
    return purged


@shared_task(ignore_result=True)
def erase_unconfirmed_accounts() -> int:
    """Daily: accounts never confirmed accounts.UNCONFIRMED_ACCOUNT_KEPT after sign-up."""
    return erasure.erase_unconfirmed_accounts()
