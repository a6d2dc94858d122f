from django.urls import path

from appointments import dashboard

# Included under /dashboard/, beside the therapist's profile pages.
app_name = "appointments_dashboard"

urlpatterns = [
    path("requests/", dashboard.inbox, name="inbox"),
    path("requests/<int:pk>/accept/", dashboard.accept, name="accept"),
    path("requests/<int:pk>/propose/", dashboard.propose, name="propose"),
    path("requests/<int:pk>/decline/", dashboard.decline, name="decline"),
    path("appointments/<int:pk>/attended/", dashboard.mark_attended, name="mark_attended"),
    path("appointments/<int:pk>/no-show/", dashboard.mark_no_show, name="mark_no_show"),
    path("appointments/<int:pk>/cancel/", dashboard.cancel, name="cancel"),
]
