from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.home, name="home"),
    path("credentials/", views.credential_queue, name="credential_queue"),
    path("credentials/<int:pk>/", views.credential_detail, name="credential_detail"),
    path("credentials/<int:pk>/verify/", views.verify_credential, name="verify_credential"),
    path("credentials/<int:pk>/reject/", views.reject_credential, name="reject_credential"),
    path("credentials/<int:pk>/revoke/", views.revoke_credential, name="revoke_credential"),
    path("reviews/", views.flag_queue, name="flag_queue"),
    path("reviews/hidden/", views.hidden_reviews, name="hidden_reviews"),
    path("reviews/held/", views.held_reviews, name="held_reviews"),
    path("reviews/<int:pk>/held/publish/", views.publish_held_review, name="publish_held_review"),
    path("reviews/<int:pk>/held/hide/", views.hide_held_review, name="hide_held_review"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/hide/", views.hide_review, name="hide_review"),
    path("reviews/<int:pk>/dismiss-flags/", views.dismiss_flags, name="dismiss_flags"),
    path("reviews/<int:pk>/restore/", views.restore_review, name="restore_review"),
    path("replies/<int:pk>/", views.reply_detail, name="reply_detail"),
    path("replies/<int:pk>/hide/", views.hide_reply, name="hide_reply"),
    path("replies/<int:pk>/dismiss-flags/", views.dismiss_reply_flags, name="dismiss_reply_flags"),
    path("replies/<int:pk>/restore/", views.restore_reply, name="restore_reply"),
    path("therapists/", views.therapist_list, name="therapist_list"),
    path("therapists/<int:pk>/", views.therapist_detail, name="therapist_detail"),
    path("therapists/<int:pk>/suspend/", views.suspend_therapist, name="suspend_therapist"),
    path("therapists/<int:pk>/unsuspend/", views.unsuspend_therapist, name="unsuspend_therapist"),
    path("log/", views.decision_log, name="decision_log"),
    path("emails/<int:pk>/resend/", views.resend_email, name="resend_email"),
]
