from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from therapists.api import views

app_name = "api"

urlpatterns = [
    path("therapists/", views.TherapistList.as_view(), name="therapist-list"),
    path("therapists/<slug:slug>/", views.TherapistDetail.as_view(), name="therapist-detail"),
    path("therapists/<slug:slug>/reviews/", views.TherapistReviewList.as_view(), name="therapist-reviews"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
