"""Scheduled job of this app, run by Celery beat (CELERY_BEAT_SCHEDULE); `export_hsds --publish` is the same."""

from celery import shared_task

from opendata import export


@shared_task(ignore_result=True)
def publish_export() -> str:
    """Daily: the HSDS export served on /open-data/ (a few minutes at 100,000 practices)."""
    return export.publish_export().archive
