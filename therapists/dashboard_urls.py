from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

app_name = "dashboard"


@login_required
def home(request):
    return render(request, "therapists/dashboard/home.html")


urlpatterns = [path("", home, name="home")]
