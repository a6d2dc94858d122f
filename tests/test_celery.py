"""The Celery app: its schedule names real tasks, and the scheduled tasks do what the commands do."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from directory.celery import app
from moderation.tasks import expire_credentials
from tests.factories import CredentialFactory, ReviewFactory, TherapistFactory
from therapists.models import Credential
from therapists.tasks import recompute_scores


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= {
        "outbox.tasks.sweep_outbox",
        "moderation.tasks.expire_credentials",
        "moderation.tasks.recheck_licences",
        "opendata.tasks.publish_export",
        "therapists.tasks.recompute_scores",
        "reviews.tasks.erase_expired_reviews",
        "appointments.tasks.send_reminders",
        "appointments.tasks.expire_requests",
        "appointments.tasks.erase_health_answers",
    }
    assert scheduled <= set(app.tasks)


def test_beat_sweeps_the_outbox_every_few_minutes_and_runs_the_others_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-outbox"]["schedule"] <= 5 * 60
    assert schedule["expire-credentials"]["schedule"] == crontab(hour=0, minute=5)
    assert schedule["recompute-scores"]["schedule"] == crontab(hour=3, minute=0)


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_expire_credentials_task_expires_and_rescores():
    credential = CredentialFactory(verified=True)
    credential.expires_on = timezone.localdate() - timedelta(days=1)
    credential.save()
    assert expire_credentials.delay().get() == 1
    credential.refresh_from_db()
    assert credential.status == Credential.Status.EXPIRED


@pytest.mark.django_db
def test_recompute_scores_task_repairs_a_drifted_score():
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist)
    type(therapist).objects.filter(pk=therapist.pk).update(review_count=99)
    assert recompute_scores.delay().get() >= 1
    therapist.refresh_from_db()
    assert therapist.review_count == 1
