"""The outbox: one row per email to one recipient, written in the transaction that caused it.

A row's life: queued (attempts 0) -> claimed by a sender (claimed_at set, attempts + 1) -> sent, or
back to queued with next_attempt_at pushed back (backoff), or failed after OUTBOX_MAX_ATTEMPTS.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=self.model.Status.QUEUED)

    def failed(self):
        return self.filter(status=self.model.Status.FAILED)

    def unclaimed(self, *, claim_expired_before):
        """Rows nobody holds: never claimed, or claimed by a sender silent since before the cut-off."""
        return self.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim_expired_before))

    def due(self, *, now, claim_expired_before):
        """Queued rows a sender may claim now."""
        return self.queued().filter(next_attempt_at__lte=now).unclaimed(claim_expired_before=claim_expired_before)


class Email(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # What caused it ("moderation.credential_verified", "account.password_reset"), for people reading the table.
    kind = models.CharField(max_length=80, blank=True)
    to = models.EmailField("recipient", max_length=254)
    subject = models.CharField(max_length=255)
    # Erased once sent: account emails carry sign-in and password-reset links.
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The claim: set by the conditional UPDATE that lets exactly one sender try the row.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep and the senders only ever look for queued rows by due time.
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="outbox_email_queued_due"),
            models.Index(fields=["status", "created_at"], name="outbox_email_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]), name="outbox_email_status_valid"
            ),
            models.CheckConstraint(condition=~Q(to=""), name="outbox_email_has_recipient"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="outbox_email_sent_iff_sent_at",
            ),
            models.CheckConstraint(
                condition=Q(status="failed", failed_at__isnull=False)
                | (~Q(status="failed") & Q(failed_at__isnull=True)),
                name="outbox_email_failed_iff_failed_at",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class Attachment(models.Model):
    """A file sent with an email (an .ics invitation, for example), kept until the email is sent."""

    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=~Q(filename=""), name="outbox_attachment_has_filename")]

    def __str__(self):
        return self.filename
