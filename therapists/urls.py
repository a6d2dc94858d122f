from django.urls import path

from therapists import views

app_name = "therapists"

urlpatterns = [
    path("", views.search, name="search"),
    path("<slug:slug>/", views.profile, name="profile"),
]
