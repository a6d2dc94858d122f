from django.urls import path

from reviews import views

# Included at the site root: the write and delete paths sit under the therapist's profile.
app_name = "reviews"

urlpatterns = [
    path("therapists/<slug:slug>/review/", views.write_review, name="write"),
    path("therapists/<slug:slug>/review/withdraw/", views.withdraw_review, name="withdraw"),
    path("reviews/<int:pk>/flag/", views.flag_review, name="flag"),
    path("reviews/<int:pk>/reply/", views.reply_to_review, name="reply"),
]
