from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import path

app_name = "moderation"


@permission_required("moderation.moderate", raise_exception=True)
def home(request):
    return render(request, "moderation/home.html")


urlpatterns = [path("", home, name="home")]
