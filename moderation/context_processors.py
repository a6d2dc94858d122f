from therapists.models import Credential


def moderation(request):
    """The pending-credential count in the navigation, for moderators only (one COUNT query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_moderator:
        return {}
    return {"moderation_pending_count": Credential.objects.pending().count()}
