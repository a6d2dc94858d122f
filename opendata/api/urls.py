from django.urls import path

from opendata.api import views

app_name = "hsds"

# The paths are HSDS's own (schema/openapi.json); {id} is any string, so a malformed one gets a 400
# that names it instead of the resolver's 404.
urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("services", views.ServiceList.as_view(), name="services"),
    path("services/<str:id>", views.ServiceDetail.as_view(), name="service"),
    path("service_at_locations", views.ServiceAtLocationList.as_view(), name="service-at-locations"),
    path("service_at_locations/<str:id>", views.ServiceAtLocationDetail.as_view(), name="service-at-location"),
    path("organizations", views.OrganizationList.as_view(), name="organizations"),
    path("organizations/<str:id>", views.OrganizationDetail.as_view(), name="organization"),
    path("taxonomies", views.TaxonomyList.as_view(), name="taxonomies"),
    path("taxonomies/<str:id>", views.TaxonomyDetail.as_view(), name="taxonomy"),
    path("taxonomy_terms", views.TaxonomyTermList.as_view(), name="taxonomy-terms"),
    path("taxonomy_terms/<str:id>", views.TaxonomyTermDetail.as_view(), name="taxonomy-term"),
]
