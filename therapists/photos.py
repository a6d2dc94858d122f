"""A new profile photo: accepted in the request, resized into its listing sizes by a worker.

The request checks the upload (therapists.images.check_photo: type, bytes, pixels, readable) so a
refused photo is a form error at once, stores the original privately as the therapist's
PhotoUpload and queues `resize_photo` after commit. The worker decodes it, writes the profile and
thumbnail JPEGs through services.replace_photo (which swaps the files and refreshes the cached
pages) and drops the original. Until then the old photo stays public; a newer upload supersedes a
pending one, and only the latest is ever applied. Without a broker the task runs right after the
commit, so `make run` shows the new photo at once.
"""

import logging
import uuid
from datetime import timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from therapists import services
from therapists.images import process_photo
from therapists.models import PhotoUpload, Therapist

logger = logging.getLogger(__name__)

# A pending upload older than this lost its message (a worker died before acking and the broker
# dropped it, or the broker was down at commit): the beat schedule queues it again.
RESUME_AFTER = timedelta(minutes=5)


@transaction.atomic
def receive_photo(*, therapist: Therapist, upload) -> PhotoUpload:
    """Keep a checked upload as the therapist's pending photo and queue its resizing after commit."""
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    previous = PhotoUpload.objects.filter(therapist=therapist).first()
    pending = previous or PhotoUpload(therapist=therapist)
    old_original = pending.original.name if previous else ""
    upload.seek(0)
    pending.original.save(f"{uuid.uuid4().hex}.upload", ContentFile(upload.read()), save=False)
    pending.status, pending.error, pending.uploaded_at = PhotoUpload.Status.PENDING, "", timezone.now()
    pending.save()
    services.delete_files_after_commit(pending.original.storage, [old_original])
    name = pending.original.name
    transaction.on_commit(lambda: queue_resize(therapist_id=therapist.pk, original=name))
    return pending


def queue_resize(*, therapist_id: int, original: str) -> bool:
    """Hand the resizing to a worker (or do it now, when eager). Never raises: the beat resumes it."""
    try:
        resize_photo.delay(therapist_id, original)
    except Exception:  # Redis down or refusing: the pending row stays and resume_pending_photos queues it
        logger.warning("Could not queue the photo of therapist %s; it will be resumed.", therapist_id, exc_info=True)
        return False
    return True


@shared_task(acks_late=True, ignore_result=True)
def resize_photo(therapist_id: int, original: str) -> str:
    return apply_pending_photo(therapist_id=therapist_id, original=original)


def apply_pending_photo(*, therapist_id: int, original: str) -> str:
    """Resize the pending upload named `original` and make it the therapist's photo.

    Returns "applied", "failed" (the file could not be used; the dashboard says why) or
    "superseded" (a newer upload, or this one was applied already: nothing to do).
    """
    pending = PhotoUpload.objects.filter(
        therapist_id=therapist_id, original=original, status=PhotoUpload.Status.PENDING
    ).first()
    if pending is None:
        return "superseded"
    try:
        with pending.original.open("rb") as file:
            photo = process_photo(file)
    except (ValidationError, FileNotFoundError) as error:
        reason = error.messages[0] if isinstance(error, ValidationError) else "The uploaded file was lost."
        return _refuse(pending=pending, original=original, reason=reason)
    with transaction.atomic():
        # Locked, then checked again: an upload that arrived while we were resizing wins.
        if not PhotoUpload.objects.select_for_update().filter(pk=pending.pk, original=original).exists():
            return "superseded"
        services.replace_photo(therapist=pending.therapist, photo=photo)
        pending.delete()
        services.delete_files_after_commit(pending.original.storage, [original])
    return "applied"


def _refuse(*, pending: PhotoUpload, original: str, reason: str) -> str:
    with transaction.atomic():
        refused = PhotoUpload.objects.filter(
            pk=pending.pk, original=original, status=PhotoUpload.Status.PENDING
        ).update(status=PhotoUpload.Status.FAILED, error=reason[:300])
        if refused:
            services.delete_files_after_commit(pending.original.storage, [original])
    logger.info("Photo of therapist %s refused by the resize task: %s", pending.therapist_id, reason)
    return "failed" if refused else "superseded"


@shared_task(ignore_result=True)
def resume_pending_photos() -> int:
    """Queue again the uploads whose message was lost; the task's checks make a duplicate harmless."""
    cutoff = timezone.now() - RESUME_AFTER
    stuck = PhotoUpload.objects.filter(status=PhotoUpload.Status.PENDING, uploaded_at__lt=cutoff)
    resumed = 0
    for therapist_id, original in stuck.values_list("therapist_id", "original"):
        resumed += queue_resize(therapist_id=therapist_id, original=original)
    return resumed
