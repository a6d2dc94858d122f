"""Scheduled jobs of this app, run by Celery beat (CELERY_BEAT_SCHEDULE); the command calls the same service."""

from celery import shared_task

from reviews import services


@shared_task(ignore_result=True)
def erase_expired_reviews() -> int:
    """Daily: erase the text of reviews hidden or withdrawn longer than reviews.rules.RETENTION ago."""
    return services.erase_expired_reviews()
