from django.urls import path

from privacy import views

# Included at the site root, before allauth's accounts/ URLs: the account pages beside allauth's own.
app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_policy, name="policy"),
    path("imprint/", views.imprint, name="imprint"),
    path("accounts/data/", views.your_data, name="data"),
    path("accounts/data/<uuid:public_id>/download/", views.download_export, name="download"),
    path("accounts/delete/", views.delete_account, name="delete"),
    path("accounts/deleted/", views.account_deleted, name="deleted"),
]
