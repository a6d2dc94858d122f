from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from directory import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("how-we-rank/", views.how_we_rank, name="how_we_rank"),
    path("how-reviews-work/", views.how_reviews_work, name="how_reviews_work"),
    path("therapists/", include("therapists.urls")),
    path("", include("reviews.urls")),
    path("", include("appointments.urls")),
    path("dashboard/", include("therapists.dashboard_urls")),
    path("dashboard/", include("appointments.dashboard_urls")),
    path("moderation/", include("moderation.urls")),
    # /privacy/, /imprint/ and the account's data pages; before allauth's accounts/ URLs.
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("therapists.api.urls")),
    path("api/hsds/", include("opendata.api.urls")),
    path("open-data/", include("opendata.urls")),
    # Before admin.site.urls, so the admin's own login form (outside the login throttle) is never served.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Public photos only; credential documents live outside MEDIA_ROOT and are never served here.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "directory.lib.errors.page_not_found"
