from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.open_data, name="page"),
    path("hsds.zip", views.download, name="download"),
]
