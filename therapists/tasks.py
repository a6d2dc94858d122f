"""Scheduled jobs of this app, run by Celery beat (CELERY_BEAT_SCHEDULE); the command calls the same service."""

from celery import shared_task

from therapists import scores

# Defined beside the service they run; imported here so the worker's autodiscovery registers them.
from therapists.photos import resize_photo, resume_pending_photos  # noqa: F401


@shared_task(ignore_result=True)
def recompute_scores() -> int:
    """Daily: experience grows with the years, so every score moves a little; also repairs drift."""
    return scores.recompute_scores()
