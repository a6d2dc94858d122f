"""Scheduled jobs of this app, run by Celery beat (CELERY_BEAT_SCHEDULE); the command calls the same service."""

from celery import shared_task

from moderation import services


@shared_task(ignore_result=True)
def expire_credentials() -> int:
    """Daily: verified credentials past their expiry date stop counting (logged as automatic decisions)."""
    return services.expire_credentials()


@shared_task(ignore_result=True)
def recheck_licences() -> dict[str, int]:
    """Daily: every verified licence against its register; revoked ones stop counting, vanished ones requeue."""
    return services.recheck_licences()
