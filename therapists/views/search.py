from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.lib.cache import cache_public_page
from therapists.active_filters import active_filters
from therapists.filters import TherapistFilter
from therapists.models import Therapist
from therapists.pagination import ListingPaginator, paginate

SEARCH_PAGE_SIZE = 20


@require_GET
@cache_public_page
def search(request):
    therapist_filter = TherapistFilter(request.GET, queryset=Therapist.objects.for_listing())
    context = {"filter": therapist_filter, "form": therapist_filter.form}
    if not therapist_filter.is_valid():
        return render(request, "therapists/search.html", context, status=400)
    paginator = ListingPaginator(therapist_filter.qs, SEARCH_PAGE_SIZE)
    page, page_message = paginate(paginator, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        page_message=page_message,
        active_filters=active_filters(therapist_filter),
        has_point=therapist_filter.point is not None,
        query_without_page=query.urlencode(),
    )
    return render(request, "therapists/search.html", context)
