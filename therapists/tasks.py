"""Scheduled jobs of this app, run by Celery beat (CELERY_BEAT_SCHEDULE); the command calls the same service."""

from celery import shared_task

from therapists import scores


@shared_task(ignore_result=True)
def recompute_scores() -> int:
    """Daily: experience grows with the years, so every score moves a little; also repairs drift."""
    return scores.recompute_scores()
