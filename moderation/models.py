from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


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
        target_repr: str | None = None,
        actor_tombstone: str = "",
    ) -> "Decision":
        """Append one entry to the moderation log: the one writer every decision goes through.

        Call it inside the decision's own transaction, so a rolled-back decision leaves no entry.
        `target_repr` replaces str(target) where that would name a person (an erased account).
        """
        return self.create(
            actor=actor,
            actor_tombstone=actor_tombstone,
            action=action,
            target_type=target._meta.label_lower,
            target_id=target.pk,
            target_repr=(str(target) if target_repr is None else target_repr)[:200],
            reason=reason,
            before=before or {},
            after=after or {},
        )

    def replace_person(self, *, user, targets: list[tuple[str, models.QuerySet]], tombstone: str) -> int:
        """Put `tombstone` in place of a person whose account is being erased; returns the rows changed.

        As the actor: their decisions keep every field but name the tombstone instead of the account
        (a moderator's own entries stay in the log). As the target: the description of each object
        that was theirs, `targets` as (model label, QuerySet of its pks), says "Erased" instead of
        their name or their words. No row is added or removed, and action, time, reason and states stay:
        this is the one change the append-only log admits, made by privacy.services.erase_account
        in the erasure's own transaction (so the account can go: the actor key PROTECTs it).
        """
        # QuerySet.update itself: this class's update() refuses every other caller.
        changed = models.QuerySet.update(self.filter(actor=user), actor=None, actor_tombstone=tombstone)
        concerning = Q()
        for label, pks in targets:
            concerning |= Q(target_type=label, target_id__in=pks)
        if concerning:
            changed += models.QuerySet.update(self.filter(concerning), target_repr=f"Erased ({tombstone})")
        return changed

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
        # Issue 23: a person erased their account; the entry names only its tombstone, never the person.
        ERASE_ACCOUNT = "erase_account", "Account erased at its owner's request"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty for automatic decisions such as the daily expiry.",
    )
    # Set in place of `actor` when the actor erased their account (replace_person): the same id on
    # every entry of that person, which says nothing about who they were.
    actor_tombstone = models.CharField(max_length=40, blank=True)
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
