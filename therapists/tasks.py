"""The daily jobs, run by Celery beat (CELERY_BEAT_SCHEDULE); the management commands call the same services."""

from celery import shared_task

from therapists import services


@shared_task(ignore_result=True)
def expire_credentials() -> int:
    return services.expire_credentials()


@shared_task(ignore_result=True)
def recompute_scores() -> int:
    return services.recompute_scores()
