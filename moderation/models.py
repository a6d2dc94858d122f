from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class DecisionQuerySet(models.QuerySet):
    def record(
        self,
        *,
        actor,
        action: str,
        target: models.Model,
        reason: str = "",
        before: dict | None = None,
        after: dict | None = None,
    ) -> "Decision":
        """Append one entry to the moderation log: the one writer every decision goes through.

        Call it inside the decision's own transaction, so a rolled-back decision leaves no entry.
        """
        return self.create(
            actor=actor,
            action=action,
            target_type=target._meta.label_lower,
            target_id=target.pk,
            target_repr=str(target)[:200],
            reason=reason,
            before=before or {},
            after=after or {},
        )

    def update(self, **kwargs):
        raise ValidationError("The moderation log is append-only.")

    def delete(self):
        raise ValidationError("The moderation log is append-only.")


class Decision(models.Model):
    """One moderation decision, kept for ever: who did what to which object, why, before and after.

    Append-only: the application never edits or deletes a row (save() refuses an update and the
    QuerySet refuses bulk changes); the admin shows the log read-only.
    """

    class Action(models.TextChoices):
        VERIFY_CREDENTIAL = "verify_credential", "Verified a credential"
        REJECT_CREDENTIAL = "reject_credential", "Rejected a credential"
        REVOKE_CREDENTIAL = "revoke_credential", "Revoked a credential"
        EXPIRE_CREDENTIAL = "expire_credential", "Expired a credential"
        REQUEUE_CREDENTIAL = "requeue_credential", "Sent a credential back to the queue"
        UPDATE_CREDENTIAL_EXPIRY = "update_credential_expiry", "Updated a credential's expiry date"
        HIDE_REVIEW = "hide_review", "Hid a review"
        RESTORE_REVIEW = "restore_review", "Restored a review"
        DISMISS_FLAGS = "dismiss_flags", "Dismissed flags"
        # Review integrity (issue 17): the transparency table on /how-reviews-work/ counts these.
        PUBLISH_REVIEW = "publish_review", "Published a review"
        HOLD_REVIEW = "hold_review", "Held a review (burst rule)"
        RELEASE_REVIEW = "release_review", "Published a held review"
        WITHDRAW_REVIEW = "withdraw_review", "Author withdrew a review"
        HIDE_REPLY = "hide_reply", "Hid a reply"
        RESTORE_REPLY = "restore_reply", "Restored a reply"
        SUSPEND_THERAPIST = "suspend_therapist", "Suspended a profile"
        UNSUSPEND_THERAPIST = "unsuspend_therapist", "Lifted a suspension"
        RESEND_EMAIL = "resend_email", "Sent a failed email again"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty for automatic decisions such as the daily expiry.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField()
    target_repr = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="decision_target_idx"),
            models.Index(fields=["action", "-created_at"], name="decision_action_idx"),
        ]
        permissions = [("moderate", "Can moderate credentials, reviews and profiles")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The moderation log is append-only.")
