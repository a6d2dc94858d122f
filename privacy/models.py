"""A person's download of their own data (GDPR Art. 15 and 20): requested, built by a task, fetched once.

The archive lives in the private storage (never under a public URL) under a random name, and is
served only to its owner, once: the first download deletes it, and an archive nobody fetched is
deleted EXPORT_LINK_VALID after it was ready (privacy.services.purge_expired_exports).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# How long a ready archive waits for its one download; the link and the file go after this.
EXPORT_LINK_VALID = timedelta(days=7)
# A request still pending after this lost its build (a worker died, the broker was down): build it again.
EXPORT_REBUILD_AFTER = timedelta(minutes=15)


class DataExportQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def pending(self):
        return self.filter(status=DataExport.Status.PENDING)

    def ready(self):
        return self.filter(status=DataExport.Status.READY)

    def downloadable(self, now):
        return self.ready().filter(expires_at__gt=now)

    def expired(self, now):
        """Past their link's life, whatever happened to them: each goes with its file, if one is left."""
        return self.exclude(status=DataExport.Status.PENDING).filter(expires_at__lte=now)

    def stalled(self, now):
        return self.pending().filter(requested_at__lte=now - EXPORT_REBUILD_AFTER)


class DataExportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready to download"
    DOWNLOADED = "downloaded", "Downloaded"
    FAILED = "failed", "Could not be prepared"


class DataExport(models.Model):
    Status = DataExportStatus

    # The id in the download link: random, so a link cannot be guessed from another one.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # Set when the build ends (ready or failed): the row, the link and any file go at this time.
    expires_at = models.DateTimeField(null=True, blank=True)
    # The archive's name in the private storage; empty until built and again once downloaded.
    archive = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One archive in the making per person: a double-clicked request builds one.
            models.UniqueConstraint(fields=["user"], condition=Q(status="pending"), name="data_export_one_pending"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "downloaded", "failed"]), name="data_export_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(archive="") & Q(expires_at__isnull=False)),
                name="data_export_ready_has_archive",
            ),
        ]

    def __str__(self):
        return f"Data export {self.public_id} ({self.status})"

    def is_downloadable(self, now=None) -> bool:
        return self.status == self.Status.READY and self.expires_at > (now or timezone.now())
