"""The person's requests about their own data: ask for an archive, and fetch it, once."""

import logging
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from privacy.models import DataExport
from privacy.tasks import queue_build
from therapists.services import delete_files_after_commit

logger = logging.getLogger(__name__)

ALREADY_PENDING = "Your archive is already being prepared. We will email you when it is ready."
LINK_USED = (
    "This download link has already been used or has expired, so the archive is gone. You can ask for a new one below."
)


@transaction.atomic
def request_export(*, user: User, now: datetime | None = None) -> DataExport:
    """Ask for a new archive of the user's data, built by a task after commit.

    One archive at a time: an earlier one still waiting for its download is replaced (its file is
    deleted after commit), and a request while one is being prepared is refused.
    """
    now = now or timezone.now()
    if DataExport.objects.of(user).pending().exists():
        raise ValidationError(ALREADY_PENDING)
    replaced = list(DataExport.objects.of(user).ready().values_list("pk", "archive"))
    DataExport.objects.filter(pk__in=[pk for pk, _ in replaced]).delete()
    try:
        # A savepoint: a double-clicked request loses the race on the one-pending constraint.
        with transaction.atomic():
            export = DataExport.objects.create(user=user, requested_at=now)
    except IntegrityError:
        raise ValidationError(ALREADY_PENDING) from None
    delete_files_after_commit(storages["private"], [name for _, name in replaced])
    transaction.on_commit(partial(queue_build, export.pk), robust=True)
    return export


def open_download(*, export: DataExport, now: datetime | None = None):
    """Open the owner's archive for its one download and retire the link; returns the open file.

    The caller has fetched `export` through its owner. The row is claimed with a conditional
    UPDATE, so of two clicks on the link one gets the file and the other ValidationError(LINK_USED).
    The file is deleted as soon as it is open: the open handle still reads it to the end on a
    POSIX file system (the private storage is one), and no copy outlives the response.
    """
    now = now or timezone.now()
    if not export.is_downloadable(now):
        raise ValidationError(LINK_USED)
    storage = storages["private"]
    try:
        handle = storage.open(export.archive, "rb")
    except FileNotFoundError:
        raise ValidationError(LINK_USED) from None
    claimed = (
        DataExport.objects.downloadable(now)
        .filter(pk=export.pk)
        .update(status=DataExport.Status.DOWNLOADED, downloaded_at=now, archive="")
    )
    if not claimed:
        handle.close()
        raise ValidationError(LINK_USED)
    try:
        storage.delete(export.archive)
    except OSError:  # left for sweep_exports, which deletes files no row names
        logger.warning("Could not delete the archive of data export %s after its download", export.pk)
    return handle
