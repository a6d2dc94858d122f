from django.utils.functional import SimpleLazyObject

from appointments.models import AppointmentRequest


def appointments(request):
    """`waiting_request_count`: open requests sent to the logged-in therapist, queried only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "waiting_request_count": SimpleLazyObject(
            lambda: AppointmentRequest.objects.open().filter(therapist__user=user).count()
        )
    }
