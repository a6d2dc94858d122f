"""Each retention job at its boundary, run as beat runs it (the Celery task), under a frozen clock.

The periods are the constants the privacy page prints: accounts.UNCONFIRMED_ACCOUNT_KEPT,
appointments.models.HEALTH_ANSWERS_KEPT, reviews.rules.RETENTION, privacy.models.EXPORT_LINK_VALID
and settings.OUTBOX_KEEP_DAYS.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import TestCase

from accounts.models import UNCONFIRMED_ACCOUNT_KEPT, User
from appointments import tasks as appointment_tasks
from appointments.models import HEALTH_ANSWERS_KEPT, HealthAnswers
from directory.celery import app
from outbox.models import Email
from outbox.tasks import sweep_outbox
from privacy import tasks
from privacy.models import EXPORT_LINK_VALID, DataExport
from reviews import rules
from reviews import tasks as review_tasks
from reviews.models import Review
from reviews.services import ERASED_TITLE
from tests.factories import AppointmentFactory, EmailFactory, ReviewFactory, UserFactory
from tests.privacy.helpers import built_export

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


def run(task):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return task.delay().get()


def test_beat_runs_every_retention_job():
    app.loader.import_default_modules()
    scheduled = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in [
        "privacy.tasks.erase_unconfirmed_accounts",
        "privacy.tasks.sweep_exports",
        "appointments.tasks.erase_health_answers",
        "reviews.tasks.erase_expired_reviews",
        "outbox.tasks.sweep_outbox",
    ]:
        assert task in scheduled and task in app.tasks, task
    assert scheduled["privacy.tasks.sweep_exports"] <= 60 * 60


def test_an_unconfirmed_account_goes_just_after_its_period(frozen_clock):
    joined = frozen_clock.now()
    unconfirmed = UserFactory(confirmed=False, date_joined=joined)
    confirmed = UserFactory(date_joined=joined)
    staff = UserFactory(confirmed=False, date_joined=joined, is_staff=True)
    without_address = UserFactory(date_joined=joined)  # made in the admin: no address row to confirm
    without_address.emailaddress_set.all().delete()

    frozen_clock(joined + UNCONFIRMED_ACCOUNT_KEPT)
    assert run(tasks.erase_unconfirmed_accounts) == 0
    assert User.objects.filter(pk=unconfirmed.pk).exists()

    frozen_clock(joined + UNCONFIRMED_ACCOUNT_KEPT + SECOND)
    assert run(tasks.erase_unconfirmed_accounts) == 1
    assert not User.objects.filter(pk=unconfirmed.pk).exists()
    assert set(User.objects.values_list("pk", flat=True)) == {confirmed.pk, staff.pk, without_address.pk}
    # Silent: no email to an address nobody confirmed.
    assert not Email.objects.filter(kind="privacy.account_deleted").exists()


def test_health_answers_go_at_their_period_after_the_appointment(frozen_clock):
    appointment = AppointmentFactory(attended=True)
    frozen_clock(appointment.ends_at + HEALTH_ANSWERS_KEPT - SECOND)
    assert run(appointment_tasks.erase_health_answers) == 0
    frozen_clock(appointment.ends_at + HEALTH_ANSWERS_KEPT)
    assert run(appointment_tasks.erase_health_answers) == 1
    assert not HealthAnswers.objects.exists()


@pytest.mark.parametrize("status", [Review.Status.WITHDRAWN, Review.Status.HIDDEN])
def test_the_text_of_a_withdrawn_or_hidden_review_goes_at_its_period(frozen_clock, status):
    removed_at = frozen_clock.now()
    review = ReviewFactory(status=status, removed_at=removed_at, hidden_reason="x", body="Words to erase.")
    frozen_clock(removed_at + rules.RETENTION - SECOND)
    assert run(review_tasks.erase_expired_reviews) == 0
    frozen_clock(removed_at + rules.RETENTION)
    assert run(review_tasks.erase_expired_reviews) == 1
    review.refresh_from_db()
    assert (review.title, review.body) == (ERASED_TITLE, "")


def test_an_unused_download_link_and_its_archive_go_at_the_end_of_its_period(frozen_clock):
    export = built_export(UserFactory())
    storage = storages["private"]
    frozen_clock(export.ready_at + EXPORT_LINK_VALID - SECOND)
    assert run(tasks.sweep_exports) == 0
    assert storage.exists(export.archive)
    frozen_clock(export.ready_at + EXPORT_LINK_VALID)
    assert run(tasks.sweep_exports) == 1
    assert not DataExport.objects.exists()
    assert not storage.exists(export.archive)


def test_a_downloaded_export_leaves_its_row_until_the_end_of_its_period(frozen_clock):
    export = built_export(UserFactory())
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.DOWNLOADED, archive="")
    frozen_clock(export.expires_at)
    assert run(tasks.sweep_exports) == 1


def test_an_archive_no_row_names_is_swept_once_an_hour_old(frozen_clock):
    storage = storages["private"]
    name = storage.save("exports/orphan.zip", open(__file__, "rb"))  # noqa: SIM115
    frozen_clock(storage.get_modified_time(name) + timedelta(minutes=59))
    run(tasks.sweep_exports)
    assert storage.exists(name)
    frozen_clock(storage.get_modified_time(name) + timedelta(hours=1, seconds=1))
    run(tasks.sweep_exports)
    assert not storage.exists(name)


def test_a_request_whose_build_was_lost_is_built_by_the_sweep(frozen_clock):
    export = DataExport.objects.create(user=UserFactory(), requested_at=frozen_clock.now())
    frozen_clock(minutes=16)
    run(tasks.sweep_exports)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_a_sent_email_is_deleted_just_after_its_period(frozen_clock):
    sent = EmailFactory(sent=True, created_at=frozen_clock.now())
    frozen_clock(sent.created_at + timedelta(days=settings.OUTBOX_KEEP_DAYS))
    assert run(sweep_outbox).purged == 0
    frozen_clock(sent.created_at + timedelta(days=settings.OUTBOX_KEEP_DAYS) + SECOND)
    assert run(sweep_outbox).purged == 1
    assert not Email.objects.filter(pk=sent.pk).exists()


def test_the_command_runs_the_same_jobs_for_cron(frozen_clock):
    joined = frozen_clock.now()
    UserFactory(confirmed=False, date_joined=joined)
    built_export(UserFactory())
    frozen_clock(joined + max(UNCONFIRMED_ACCOUNT_KEPT, EXPORT_LINK_VALID) + SECOND)
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("privacy_jobs", stdout=out)
    assert out.getvalue().strip() == "1 expired download link(s) deleted, 1 unconfirmed account(s) erased."
