from django.db import models

from moderation.models import Decision


def log_decision(
    *, actor, action: str, target: models.Model, reason: str = "", before: dict | None = None, after: dict | None = None
) -> Decision:
    """Append one entry to the moderation log; call it inside the decision's own transaction."""
    return Decision.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_repr=str(target)[:200],
        reason=reason,
        before=before or {},
        after=after or {},
    )
