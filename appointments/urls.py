from django.urls import path

from appointments import views

# Included at the site root: the request form sits under the therapist's profile.
app_name = "appointments"

urlpatterns = [
    path("therapists/<slug:slug>/appointment/", views.request_appointment, name="request"),
    path("appointments/", views.mine, name="mine"),
    path("appointments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("appointments/<int:pk>/accept/", views.accept_proposal, name="accept_proposal"),
    path("appointments/<int:pk>/cancel/", views.cancel, name="cancel"),
]
