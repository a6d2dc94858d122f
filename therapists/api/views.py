from django.core.cache import cache
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer

from directory.lib.cache import CACHE_HEADER, PUBLIC_PAGE_SECONDS, public_cache_key, therapist_scope
from reviews.models import Review
from therapists.api.serializers import ReviewSerializer, TherapistDetailSerializer, TherapistListSerializer
from therapists.filters import TherapistFilter
from therapists.models import Therapist
from therapists.pagination import ListingPagination

BAD_INPUT = OpenApiResponse(
    # Keyed by whichever parameters were refused, so any property name, each a list of reasons.
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A parameter is malformed: {parameter: [reason, …]}.",
)
NOT_FOUND = OpenApiResponse(
    inline_serializer("NotFound", {"detail": serializers.CharField()}),
    description="No published therapist with this slug, or no such page.",
)


class PublicCacheMixin:
    """The JSON answer kept PUBLIC_PAGE_SECONDS in the shared cache (see directory/caching.py).

    The API has no logged-in users, so every caller gets the same answer for the same URL. It is
    cached inside the view, so throttling still runs on every request.
    """

    def get(self, request, *args, **kwargs):
        # One therapist's answer carries that therapist's version, so a write drops just it.
        scope = therapist_scope(kwargs["slug"]) if "slug" in kwargs else None
        key = public_cache_key(request, prefix="public-api-json", scope=scope)
        content = cache.get(key) if key else None
        if content is not None:
            return HttpResponse(content, content_type="application/json", headers={CACHE_HEADER: "hit"})
        response = super().get(request, *args, **kwargs)
        if key and response.status_code == 200:
            # JSONRenderer is the only renderer (settings.REST_FRAMEWORK): these are the bytes DRF sends.
            cache.set(key, JSONRenderer().render(response.data), PUBLIC_PAGE_SECONDS)
            response[CACHE_HEADER] = "miss"
        return response


@extend_schema_view(
    get=extend_schema(
        summary="Search published therapists",
        description="The same filters and sort orders as the HTML search at /therapists/.",
        responses={200: TherapistListSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
)
class TherapistList(PublicCacheMixin, generics.ListAPIView):
    serializer_class = TherapistListSerializer
    pagination_class = ListingPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TherapistFilter
    # TherapistFilter narrows to published therapists and sorts; this is only the prefetching.
    queryset = Therapist.objects.published().for_listing().prefetch_related("needs", "languages")


@extend_schema_view(
    get=extend_schema(summary="One published therapist", responses={200: TherapistDetailSerializer, 404: NOT_FOUND})
)
class TherapistDetail(PublicCacheMixin, generics.RetrieveAPIView):
    serializer_class = TherapistDetailSerializer
    lookup_field = "slug"
    queryset = Therapist.objects.published().for_profile()


@extend_schema_view(
    get=extend_schema(
        summary="Published reviews of one therapist, newest first",
        responses={200: ReviewSerializer(many=True), 404: NOT_FOUND},
    )
)
class TherapistReviewList(generics.ListAPIView):
    serializer_class = ReviewSerializer

    def get_queryset(self):
        therapist = get_object_or_404(Therapist.objects.published(), slug=self.kwargs["slug"])
        return (
            Review.objects.published()
            .filter(therapist=therapist)
            .newest_first()
            .select_related("author", "modality", "reply")
        )
