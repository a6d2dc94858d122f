"""The appointments' scheduled jobs, run by beat (CELERY_BEAT_SCHEDULE in directory/settings.py).

Each is a service in appointments/services.py that is safe to run twice at once: reminders are
claimed with a conditional UPDATE, expiry goes through the state machine, erasure is one DELETE.
`manage.py appointment_jobs` runs all three where there is no beat.
"""

from celery import shared_task

from appointments import services


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return services.send_reminders()


@shared_task(ignore_result=True)
def expire_requests() -> int:
    return services.expire_requests()


@shared_task(ignore_result=True)
def erase_health_answers() -> int:
    return services.erase_health_answers()
