from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from directory.lib.cache import cache_public_page
from therapists import spelling
from therapists.active_filters import active_filters
from therapists.facets import (
    counts_without_each_filter,
    facet_counts,
    nearest_outside,
    radius_reaching,
)
from therapists.filters import TherapistFilter
from therapists.geo import find_place
from therapists.models import Therapist
from therapists.pagination import ListingPaginator, page_window, paginate

SEARCH_PAGE_SIZE = 20
# Which parameters each filter in use is made of, to link to the search without it.
PARAMETERS = {"place": ("city", "lat", "lon", "radius_km"), "q": ("q", "exact")}
PLACE_ONLY = "Sorting or filtering by distance needs a place, so these results are sorted by qualification score."


def _query(data: QueryDict, drop=(), **changes) -> str:
    query = data.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    for name, value in changes.items():
        query[name] = value
    if query.get("sort") == "distance" and "city" in drop:
        query.pop("sort")
    return query.urlencode()


def _filter(data: QueryDict) -> TherapistFilter:
    return TherapistFilter(data, queryset=Therapist.objects.for_listing())


def _without_distance_only_errors(therapist_filter, data: QueryDict):
    """The search without a radius or distance sort that has no place to measure from, or None.

    The API answers 400; a person on the page gets the results by score and a note instead of an
    error page with nothing in it.
    """
    errors = therapist_filter.form.errors.as_data()
    if not errors or set(errors) - {"sort", "radius_km"}:
        return None
    if any(error.code != "needs_place" for field in errors.values() for error in field):
        return None
    data = data.copy()
    for name in errors:
        data.pop(name, None)
    fallback = _filter(data)
    return (fallback, data) if fallback.is_valid() else None


def _facet_options(therapist_filter, counts: dict | None) -> dict:
    """Each option of each family with its count (None on a search with errors, which counts nothing).

    A zero is shown, and the option disabled, unless it is chosen: the client can still untick it.
    """
    form, data = therapist_filter.form, therapist_filter.data

    def shown(family: str, value: str):
        if counts is None:
            return None
        count = counts[family].get(value, 0)
        if counts.get("sampled"):
            # An estimate (therapists.facets): "about 1,200", and no option disabled for a sample's 0.
            return about(count) if count else None
        return count

    options = {}
    for family in ("modality", "need", "language"):
        chosen = data.getlist(family)
        options[family] = [
            {
                "value": value,
                "label": label,
                "count": shown(family, value),
                "checked": value in chosen,
                "id": f"id_{family}_{position}",
            }
            for position, (value, label) in enumerate(choice for choice in form.fields[family].choices if choice[0])
        ]
    for family in ("verified", "accepting"):
        options[family] = {
            "count": shown(family, "1"),
            "checked": data.get(family) == "1",
        }
    return options


def _page_context(therapist_filter, data: QueryDict) -> dict:
    """What the page shows whether or not the search is valid: the form, its options, place links."""
    form = therapist_filter.form
    # The filters sit outside the <form> element (beside the results), tied to it by form=.
    for name in ("min_rating", "min_years", "max_price"):
        form.fields[name].widget.attrs["form"] = "search-form"
    suggestions = [
        # "Berlin, DE" when that finds this very city; "Springfield, US-MA" when it takes the region.
        {
            "label": place.label,
            "href": _query(data, city=place.label if find_place(place.label) == place else place.query),
        }
        for place in form.place_suggestions
    ]
    return {"filter": therapist_filter, "form": form, "place_suggestions": suggestions}


def _way_out(therapist_filter, data: QueryDict, active) -> dict:
    """For an empty result: the filter whose removal finds the most, and the nearest matches further out."""
    counts = counts_without_each_filter(therapist_filter)
    labels = {}
    for active_filter in active:
        labels.setdefault(active_filter["name"], []).append(active_filter["label"])
    way_out = {"nearest": [], "widen": None, "relax": None}
    nearest = nearest_outside(therapist_filter)
    if nearest:
        radius = radius_reaching(nearest[0].distance_km)
        reachable = therapist_filter.without("place").near(*therapist_filter.point, radius).count()
        way_out["nearest"] = nearest
        way_out["widen"] = {
            "radius": radius,
            "count": reachable,
            "href": _query(data, radius_km=str(radius)),
            "labels": [label for name, label_list in labels.items() if name != "place" for label in label_list],
        }
    relaxable = {name: count for name, count in counts.items() if name != "place" and count}
    if relaxable:
        name = max(relaxable, key=lambda candidate: (relaxable[candidate], candidate))
        way_out["relax"] = {
            "count": relaxable[name],
            "labels": labels.get(name, [name]),
            "href": _query(data, drop=PARAMETERS.get(name, (name,))),
        }
    return way_out


def _total(counts) -> int:
    return counts["total"].get("", 0)


def about(count: int) -> str:
    """An estimate to two significant figures, said as one: 12,368 -> "about 12,000"."""
    if count >= 100:
        count = round(count, 2 - len(str(count)))
    return f"about {count:,}"


def _map_markers(page) -> list[dict]:
    return [
        {
            "name": therapist.display_name,
            "score": round(therapist.score),
            "url": therapist.get_absolute_url(),
            "lat": therapist.latitude,
            "lon": therapist.longitude,
        }
        for therapist in page
        if therapist.latitude is not None and therapist.longitude is not None
    ]


@require_safe
@cache_public_page
def search(request):
    data = request.GET.copy()
    therapist_filter = _filter(data)
    notice = ""
    if not therapist_filter.is_valid():
        fallback = _without_distance_only_errors(therapist_filter, data)
        if fallback is None:
            context = _page_context(therapist_filter, data)
            context.update(options=_facet_options(therapist_filter, None), filters_open=True)
            return render(request, "therapists/search.html", context, status=400)
        (therapist_filter, data), notice = fallback, PLACE_ONLY
    counts = facet_counts(therapist_filter)
    correction = None
    typed = therapist_filter.form.cleaned_data.get("q")
    if typed and not therapist_filter.form.cleaned_data.get("exact") and not _total(counts):
        corrected_text = spelling.correct(typed)
        if corrected_text:
            corrected_filter = _filter(QueryDict(_query(data, q=corrected_text), mutable=True))
            if corrected_filter.is_valid():
                corrected_counts = facet_counts(corrected_filter)
                if _total(corrected_counts):
                    therapist_filter, counts = corrected_filter, corrected_counts
                    correction = {"corrected": corrected_text, "typed": typed, "href": _query(data, exact="1")}
                    data = corrected_filter.data
    paginator = ListingPaginator(therapist_filter.qs, SEARCH_PAGE_SIZE)
    # The facet counts' UNION counted the results too: no COUNT query of its own.
    paginator.count = _total(counts)
    page, page_message = paginate(paginator, request.GET.get("page"))
    active = active_filters(therapist_filter)
    cleaned = therapist_filter.form.cleaned_data
    context = _page_context(therapist_filter, data)
    context |= {
        "searched": True,
        "page": page,
        "page_message": page_message,
        "notice": notice,
        "correction": correction,
        "place": cleaned.get("place"),
        "other_places": [
            {"place": place, "href": _query(data, city=place.query)} for place in therapist_filter.form.other_places
        ],
        "active_filters": active,
        # "About 12,000 therapists found" when the count is an estimate (therapists.facets).
        "results_about": about(paginator.count) if counts.get("total_estimated") else None,
        "filters_in_use": len(therapist_filter.in_use()),
        "options": _facet_options(therapist_filter, counts),
        "has_point": therapist_filter.point is not None,
        "query_without_page": _query(data),
        "page_numbers": page_window(page),
        "map_markers": _map_markers(page),
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
    if not page.object_list:
        context["way_out"] = _way_out(therapist_filter, data, active)
    return render(request, "therapists/search.html", context)
