"""A new photo is checked in the request and resized by a worker (therapists.photos).

The request keeps the original privately and queues the task after commit; these tests hold the
task back (no on-commit execution) to see the state in between, then run it as a worker would.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage, storages
from django.utils import timezone

from tests.factories import TherapistFactory
from tests.therapists.uploads import image_bytes, upload
from therapists import photos
from therapists.models import PhotoUpload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)
    return therapist


def post(client, color="orange"):
    return client.post("/dashboard/photo/", {"photo": upload("me.jpg", image_bytes("JPEG", color=color))})


def run(callbacks, capture):
    """What happens after the request's commit: the queueing, then the worker (eager) and its own commits."""
    with capture(execute=True):
        for callback in callbacks:
            callback()


def test_the_request_keeps_the_original_privately_and_queues_the_resize(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client)

    assert response.status_code == 302
    assert callbacks, "the resize is queued after commit, not done in the request"
    pending = PhotoUpload.objects.get(therapist=owner)
    assert pending.status == PhotoUpload.Status.PENDING
    assert storages["private"].exists(pending.original.name)
    assert not default_storage.exists(pending.original.name), "the original is never public"
    owner.refresh_from_db()
    assert not owner.photo, "the photo changes only when the worker has resized it"

    dashboard = client.get("/dashboard/").content.decode()
    assert "Your new photo is being prepared" in dashboard

    run(callbacks, django_capture_on_commit_callbacks)

    owner.refresh_from_db()
    assert owner.photo and owner.photo_thumbnail
    assert not PhotoUpload.objects.exists()
    assert not storages["private"].exists(pending.original.name)
    assert "being prepared" not in client.get("/dashboard/").content.decode()


def test_a_newer_upload_supersedes_one_still_waiting(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first:
        post(client, color="red")
    first_original = PhotoUpload.objects.get().original.name
    with django_capture_on_commit_callbacks() as second:
        post(client, color="blue")

    assert PhotoUpload.objects.count() == 1
    assert photos.apply_pending_photo(therapist_id=owner.pk, original=first_original) == "superseded"
    owner.refresh_from_db()
    assert not owner.photo

    run(second, django_capture_on_commit_callbacks)
    owner.refresh_from_db()
    assert owner.photo
    assert not storages["private"].exists(first_original), "the superseded original is deleted"
    assert first  # queued too, and harmless: its task found nothing to do


def test_a_duplicate_message_applies_the_photo_once(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post(client)
    original = PhotoUpload.objects.get().original.name

    assert photos.apply_pending_photo(therapist_id=owner.pk, original=original) == "applied"
    owner.refresh_from_db()
    applied = owner.photo.name
    assert photos.apply_pending_photo(therapist_id=owner.pk, original=original) == "superseded"
    owner.refresh_from_db()
    assert owner.photo.name == applied
    assert callbacks


def test_a_file_the_worker_cannot_use_is_reported_on_the_dashboard(
    client, owner, monkeypatch, django_capture_on_commit_callbacks
):
    """The request's check passed, the full decode did not: the old photo stays and the reason is shown."""

    def refuse(_file):
        raise ValidationError("This file could not be read as an image; it may be damaged.")

    monkeypatch.setattr(photos, "process_photo", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        post(client)

    failed = PhotoUpload.objects.get(therapist=owner)
    assert failed.status == PhotoUpload.Status.FAILED
    assert "could not be read" in failed.error
    assert not storages["private"].exists(failed.original.name)
    owner.refresh_from_db()
    assert not owner.photo
    page = client.get("/dashboard/").content.decode()
    assert "We could not use the photo you uploaded" in page and "could not be read" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        post(client)
    owner.refresh_from_db()
    assert owner.photo
    assert not PhotoUpload.objects.exists()


def test_uploads_whose_message_was_lost_are_resumed(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the message is lost: never run
        post(client)
    assert photos.resume_pending_photos() == 0, "a fresh upload is still the queue's"

    PhotoUpload.objects.update(uploaded_at=timezone.now() - photos.RESUME_AFTER - timedelta(seconds=1))
    assert photos.resume_pending_photos() == 1

    owner.refresh_from_db()
    assert owner.photo
    assert not PhotoUpload.objects.exists()


def test_broker_down_at_upload_time_still_keeps_the_upload(
    client, owner, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis")

    monkeypatch.setattr(photos.resize_photo, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client)

    assert response.status_code == 302
    assert PhotoUpload.objects.get(therapist=owner).status == PhotoUpload.Status.PENDING


def test_the_resume_job_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "therapists.photos.resume_pending_photos" in tasks
