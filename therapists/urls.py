from django.urls import path

from therapists.views import profile, search

app_name = "therapists"

urlpatterns = [
    path("", search.search, name="search"),
    path("<slug:slug>/", profile.profile, name="profile"),
]
