"""The search page's "remove this filter" links: each filter in use, with the query string that drops it."""

from django.http import QueryDict


def active_filters(therapist_filter) -> list[dict]:
    """Each filter in use, with the query string that drops it (one-click removal)."""
    if not therapist_filter.is_bound:
        return []
    data, cleaned, fields = therapist_filter.data, therapist_filter.form.cleaned_data, therapist_filter.form.fields
    active = []

    def without(*names, value=None):
        query = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
        query._mutable = True
        for param in ("page", *names):
            if value is not None and param == names[0]:
                query.setlist(param, [v for v in query.getlist(param) if v != value])
            else:
                query.pop(param, None)
        if query.get("sort") == "distance" and {"city", "lat"} & set(names):
            query.pop("sort")
        return query.urlencode()

    if cleaned.get("q"):
        active.append({"name": "q", "label": f"Words: “{cleaned['q']}”", "remove": without("q", "exact")})
    place = cleaned.get("place")
    if place is not None:
        active.append(
            {
                "name": "place",
                "label": f"Within {therapist_filter.search_radius_km:g} km of {place.name}, {place.country}",
                "remove": without("city", "radius_km"),
            }
        )
    elif cleaned.get("point") is not None:
        active.append(
            {
                "name": "place",
                "label": f"Within {therapist_filter.search_radius_km:g} km of your location",
                "remove": without("lat", "lon", "radius_km"),
            }
        )
    for name in ("modality", "need"):
        labels = dict(fields[name].choices)
        for value in cleaned.get(name) or []:
            active.append(
                {
                    "name": name,
                    "label": f"{fields[name].label}: {labels.get(value, value)}",
                    "remove": without(name, value=value),
                }
            )
    def add(name, label):
        active.append({"name": name, "label": label, "remove": without(name)})

    if cleaned.get("verified"):
        add("verified", "Verified licence")
    if cleaned.get("min_rating") is not None:
        add("min_rating", f"Rated {cleaned['min_rating']:g}★ or more")
    if cleaned.get("min_years") is not None:
        add("min_years", f"{cleaned['min_years']}+ years of experience")
    if cleaned.get("language"):
        add("language", f"Speaks {dict(fields['language'].choices).get(cleaned['language'], cleaned['language'])}")
    if cleaned.get("accepting"):
        add("accepting", "Accepts new clients")
    if cleaned.get("max_price") is not None:
        add("max_price", f"Sessions from {cleaned['max_price']} or less")
    return active
