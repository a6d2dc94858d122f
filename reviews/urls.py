from django.urls import path

from reviews import views

# Included at the site root: the write and delete paths sit under the therapist's profile.
app_name = "reviews"

urlpatterns = [
    path("therapists/<slug:slug>/review/", views.write_review, name="write"),
    path("therapists/<slug:slug>/review/withdraw/", views.withdraw_review, name="withdraw"),
    path("reviews/<int:pk>/flag/", views.flag_review, name="flag"),
    path("reviews/<int:pk>/reply/", views.reply_to_review, name="reply"),
    path("reviews/<int:pk>/reply/flag/", views.flag_reply, name="flag_reply"),
    # Before allauth's accounts/ URLs in the root URLconf, next to the other account pages.
    path("accounts/reviews/", views.my_reviews, name="mine"),
]
