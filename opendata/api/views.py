"""The HSDS 3.0 API under /api/hsds/: the endpoints the reference marks REQUIRED (/, /services,
/services/{id}) and the optional ones that fit a directory of practices.

Throttled and cached exactly as our own API (REST framework's anonymous throttle in the shared
cache; PublicCacheMixin keeps each answer PUBLIC_PAGE_SECONDS and drops it when a listing changes).
Lists carry the HSDS `Page` fields; the objects inside are built by opendata/hsds.py, so the API
and the export cannot disagree.
"""

import math

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.serializers import ValidationError
from rest_framework.views import APIView

from opendata import hsds
from opendata.api import schemas
from opendata.api.params import PageParams, ServiceParams, TaxonomyTermParams, valid_uuid, validated
from opendata.listings import listings, vocabulary
from opendata.models import PublishedIdentifier
from therapists.api.views import BAD_INPUT, PublicCacheMixin
from therapists.models import Therapist

Kind = PublishedIdentifier.Kind
NOT_FOUND = OpenApiResponse(schemas.NOT_FOUND, description="No published object with this id.")
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's HSDS id.")
TAG = ["HSDS 3.0"]


def page(rows, params: dict, build) -> dict:
    """One HSDS Page of `rows` (a queryset): the Page fields and `contents`, built by build(list_of_rows).

    A page past the last one is an empty page, not an error: an HSDS client walks pages until
    `last_page`.
    """
    total = len(rows) if isinstance(rows, list) else rows.count()
    per_page, number = params["per_page"], params["page"]
    offset = (number - 1) * per_page
    chosen = list(rows[offset : offset + per_page]) if offset < total else []
    contents = build(chosen) if chosen else []
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }


def identifiers(listing: hsds.Listing, modality_ids) -> list[PublishedIdentifier]:
    """The ids an answer publishes for this practice, to record so that each of them resolves later."""
    recorded = [PublishedIdentifier(uuid=listing.organization_id, kind=Kind.ORGANIZATION, therapist_id=listing.pk)]
    for modality_id in modality_ids:
        recorded.append(
            PublishedIdentifier(
                uuid=listing.service_id(modality_id),
                kind=Kind.SERVICE,
                therapist_id=listing.pk,
                modality_id=modality_id,
            )
        )
        recorded.append(
            PublishedIdentifier(
                uuid=listing.service_at_location_id(modality_id),
                kind=Kind.SERVICE_AT_LOCATION,
                therapist_id=listing.pk,
                modality_id=modality_id,
            )
        )
    return recorded


def resolve(kind: str, value: str) -> tuple[int, int | None]:
    """(therapist pk, modality pk) of a published id of this kind; 404 for an id we never published."""
    found = PublishedIdentifier.objects.filter(uuid=valid_uuid(value), kind=kind).values_list(
        "therapist_id", "modality_id"
    )
    if not found:
        raise Http404
    return found[0]


def filtered_services(params: dict, terms: hsds.Vocabulary):
    """(therapist pk, modality pk) rows of the published services that pass every filter given."""
    therapists = Therapist.objects.published()
    services = Therapist.modalities.through.objects.all()
    if params.get("search"):
        therapists = therapists.matching(params["search"])
    if params.get("modified_after"):
        therapists = therapists.changed_since(params["modified_after"])
    if params.get("organization_id"):
        organization = PublishedIdentifier.objects.filter(uuid=params["organization_id"], kind=Kind.ORGANIZATION)
        if not organization.exists():
            raise ValidationError({"organization_id": ["No organization has this id."]})
        therapists = therapists.filter(pk__in=organization.values("therapist_id"))
    if params.get("taxonomy_term_id"):
        term = terms.term_by_id().get(str(params["taxonomy_term_id"]))
        if term is None:
            raise ValidationError(
                {"taxonomy_term_id": ["No taxonomy term has this id; see /api/hsds/taxonomy_terms/."]}
            )
        if term.taxonomy == "modality":
            services = services.filter(modality_id=term.pk)
        else:
            therapists = therapists.helping_with([term.slug])
    if params.get("taxonomy_id"):
        taxonomy = {described.id: key for key, described in hsds.TAXONOMIES.items()}.get(str(params["taxonomy_id"]))
        if taxonomy is None:
            raise ValidationError({"taxonomy_id": ["No taxonomy has this id; see /api/hsds/taxonomies/."]})
        if taxonomy == "need":
            # Every service has its massage type; only practices that name a need have a need term.
            therapists = therapists.filter(Exists(Therapist.needs.through.objects.filter(therapist=OuterRef("pk"))))
    return (
        services.filter(therapist_id__in=therapists.values("pk"))
        .order_by("therapist_id", "modality_id")
        .values_list("therapist_id", "modality_id")
    )


class HsdsView(APIView):
    """GET answers self.answer(request, **kwargs) as JSON."""

    def get(self, request, **kwargs):
        return Response(self.answer(request, **kwargs))


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_root",
        tags=TAG,
        summary="About this HSDS API",
        responses={200: OpenApiResponse(schemas.ROOT, description="About.")},
    )
)
class Root(PublicCacheMixin, HsdsView):
    def answer(self, request):
        terms = vocabulary()
        return {
            "version": hsds.HSDS_VERSION,
            # No HSDS profile: plain HSDS 3.0. The page says what we publish and how it maps.
            "profile": terms.site_url + terms.open_data_path,
            "openapi_url": terms.site_url + reverse("api:schema") + "?format=json",
        }


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_services_list",
        tags=TAG,
        summary="Published services (one per massage type a practice offers)",
        parameters=[ServiceParams],
        responses={200: OpenApiResponse(schemas.page_of(schemas.SERVICE), description="A page."), 400: BAD_INPUT},
    )
)
class ServiceList(PublicCacheMixin, HsdsView):
    item = staticmethod(hsds.service_list_item)

    def answer(self, request):
        params = validated(ServiceParams, request.query_params)
        terms = vocabulary()

        def build(rows):
            found = listings([therapist_id for therapist_id, _ in rows])
            shown = [(found[therapist_id], modality_id) for therapist_id, modality_id in rows if therapist_id in found]
            PublishedIdentifier.objects.remember(
                recorded for listing, modality_id in shown for recorded in identifiers(listing, [modality_id])
            )
            return [self.item(listing, modality_id, terms) for listing, modality_id in shown]

        return page(filtered_services(params, terms), params, build)


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_service",
        tags=TAG,
        summary="One service, fully nested",
        parameters=[ID_PARAMETER],
        responses={200: OpenApiResponse(schemas.SERVICE, description="The service."), 400: BAD_INPUT, 404: NOT_FOUND},
    )
)
class ServiceDetail(PublicCacheMixin, HsdsView):
    kind = Kind.SERVICE
    item = staticmethod(hsds.service)

    def answer(self, request, id):
        therapist_id, modality_id = resolve(self.kind, id)
        listing = listings([therapist_id]).get(therapist_id)
        if listing is None or modality_id not in listing.modality_ids:
            raise Http404
        PublishedIdentifier.objects.remember(identifiers(listing, [modality_id]))
        return self.item(listing, modality_id, vocabulary())


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_service_at_locations_list",
        tags=TAG,
        summary="Where each published service is given",
        parameters=[ServiceParams],
        responses={
            200: OpenApiResponse(schemas.page_of(schemas.SERVICE_AT_LOCATION), description="A page."),
            400: BAD_INPUT,
        },
    )
)
class ServiceAtLocationList(ServiceList):
    item = staticmethod(hsds.service_at_location_list_item)


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_service_at_location",
        tags=TAG,
        summary="One service at its location, fully nested",
        parameters=[ID_PARAMETER],
        responses={
            200: OpenApiResponse(schemas.SERVICE_AT_LOCATION, description="The service at its location."),
            400: BAD_INPUT,
            404: NOT_FOUND,
        },
    )
)
class ServiceAtLocationDetail(ServiceDetail):
    kind = Kind.SERVICE_AT_LOCATION
    item = staticmethod(hsds.service_at_location)


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_organizations_list",
        tags=TAG,
        summary="Published practices",
        parameters=[PageParams],
        responses={200: OpenApiResponse(schemas.page_of(schemas.ORGANIZATION), description="A page."), 400: BAD_INPUT},
    )
)
class OrganizationList(PublicCacheMixin, HsdsView):
    def answer(self, request):
        params = validated(PageParams, request.query_params)
        terms = vocabulary()
        therapists = Therapist.objects.published()
        if params.get("search"):
            therapists = therapists.matching(params["search"])
        # By pk, not by score: a reuser's copy should not reshuffle every time a review lands.
        rows = Therapist.objects.filter(pk__in=therapists.values("pk")).order_by("pk").values_list("pk", flat=True)

        def build(therapist_ids):
            found = listings(therapist_ids)
            shown = [found[therapist_id] for therapist_id in therapist_ids if therapist_id in found]
            PublishedIdentifier.objects.remember(
                recorded for listing in shown for recorded in identifiers(listing, listing.modality_ids)
            )
            return [hsds.organization_summary(listing, terms) for listing in shown]

        return page(rows, params, build)


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_organization",
        tags=TAG,
        summary="One practice with its location and services, fully nested",
        parameters=[ID_PARAMETER],
        responses={
            200: OpenApiResponse(schemas.ORGANIZATION, description="The organization."),
            400: BAD_INPUT,
            404: NOT_FOUND,
        },
    )
)
class OrganizationDetail(PublicCacheMixin, HsdsView):
    def answer(self, request, id):
        therapist_id, _ = resolve(Kind.ORGANIZATION, id)
        listing = listings([therapist_id]).get(therapist_id)
        if listing is None:
            raise Http404
        PublishedIdentifier.objects.remember(identifiers(listing, listing.modality_ids))
        return hsds.organization(listing, vocabulary())


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_taxonomies_list",
        tags=TAG,
        summary="Our two taxonomies: massage types and needs",
        parameters=[PageParams],
        responses={200: OpenApiResponse(schemas.page_of(schemas.TAXONOMY), description="A page."), 400: BAD_INPUT},
    )
)
class TaxonomyList(PublicCacheMixin, HsdsView):
    def answer(self, request):
        params = validated(PageParams, request.query_params)
        terms = vocabulary()
        found = [hsds.taxonomy(key, terms) for key in hsds.TAXONOMIES]
        if params.get("search"):
            found = [item for item in found if params["search"].casefold() in item["name"].casefold()]
        return page(found, params, lambda rows: rows)


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_taxonomy",
        tags=TAG,
        summary="One taxonomy",
        parameters=[ID_PARAMETER],
        responses={200: OpenApiResponse(schemas.TAXONOMY, description="The taxonomy."), 400: BAD_INPUT, 404: NOT_FOUND},
    )
)
class TaxonomyDetail(PublicCacheMixin, HsdsView):
    def answer(self, request, id):
        wanted = valid_uuid(id)
        terms = vocabulary()
        for key, described in hsds.TAXONOMIES.items():
            if described.id == wanted:
                return hsds.taxonomy(key, terms)
        raise Http404


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_taxonomy_terms_list",
        tags=TAG,
        summary="The massage types and needs, as taxonomy terms",
        parameters=[TaxonomyTermParams],
        responses={
            200: OpenApiResponse(schemas.page_of(schemas.TAXONOMY_TERM), description="A page."),
            400: BAD_INPUT,
        },
    )
)
class TaxonomyTermList(PublicCacheMixin, HsdsView):
    def answer(self, request):
        params = validated(TaxonomyTermParams, request.query_params)
        terms = vocabulary()
        found = terms.terms()
        if params.get("taxonomy_id"):
            keys = [key for key, described in hsds.TAXONOMIES.items() if described.id == str(params["taxonomy_id"])]
            if not keys:
                raise ValidationError({"taxonomy_id": ["No taxonomy has this id; see /api/hsds/taxonomies/."]})
            found = [term for term in found if term.taxonomy == keys[0]]
        if params.get("search"):
            wanted = params["search"].casefold()
            found = [term for term in found if wanted in term.name.casefold() or wanted in term.slug]
        return page(found, params, lambda rows: [hsds.taxonomy_term(term, terms) for term in rows])


@extend_schema_view(
    get=extend_schema(
        operation_id="hsds_taxonomy_term",
        tags=TAG,
        summary="One taxonomy term",
        parameters=[ID_PARAMETER],
        responses={
            200: OpenApiResponse(schemas.TAXONOMY_TERM, description="The term."),
            400: BAD_INPUT,
            404: NOT_FOUND,
        },
    )
)
class TaxonomyTermDetail(PublicCacheMixin, HsdsView):
    def answer(self, request, id):
        terms = vocabulary()
        term = terms.term_by_id().get(valid_uuid(id))
        if term is None:
            raise Http404
        return hsds.taxonomy_term(term, terms, with_taxonomy=True)
