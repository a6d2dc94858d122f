from django.urls import path

from therapists.views import dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("profile/create/", dashboard.create_profile, name="create_profile"),
    path("profile/", dashboard.edit_profile, name="edit_profile"),
    path("profile/publish/", dashboard.publish_profile, name="publish_profile"),
    path("profile/unpublish/", dashboard.unpublish_profile, name="unpublish_profile"),
    path("photo/", dashboard.photo, name="photo"),
    path("opening-hours/", dashboard.opening_hours, name="opening_hours"),
    path("credentials/new/", dashboard.submit_credential, name="submit_credential"),
    path("credentials/<int:pk>/", dashboard.edit_credential, name="edit_credential"),
    path("credentials/<int:pk>/withdraw/", dashboard.withdraw_credential, name="withdraw_credential"),
    path("credentials/<int:pk>/resubmit/", dashboard.resubmit_credential, name="resubmit_credential"),
    path("credentials/<int:pk>/document/", dashboard.credential_document, name="credential_document"),
]
