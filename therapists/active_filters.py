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
        active.append({"label": f"Words: “{cleaned['q']}”", "remove": without("q")})
    place = cleaned.get("place")
    if place is not None:
        active.append(
            {
                "label": f"Within {therapist_filter.search_radius_km:g} km of {place.name}, {place.country}",
                "remove": without("city", "radius_km"),
            }
        )
    elif cleaned.get("point") is not None:
        latitude, longitude = cleaned["point"]
        active.append(
            {
                "label": f"Within {therapist_filter.search_radius_km:g} km of {latitude:.3f}, {longitude:.3f}",
                "remove": without("lat", "lon", "radius_km"),
            }
        )
    for name in ("modality", "need"):
        labels = dict(fields[name].choices)
        for value in cleaned.get(name) or []:
            active.append(
                {"label": f"{fields[name].label}: {labels.get(value, value)}", "remove": without(name, value=value)}
            )
    if cleaned.get("verified"):
        active.append({"label": "Verified licence", "remove": without("verified")})
    if cleaned.get("min_rating") is not None:
        active.append({"label": f"Rated {cleaned['min_rating']:g}★ or more", "remove": without("min_rating")})
    if cleaned.get("min_years") is not None:
        active.append({"label": f"{cleaned['min_years']}+ years of experience", "remove": without("min_years")})
    if cleaned.get("language"):
        language = dict(fields["language"].choices).get(cleaned["language"], cleaned["language"])
        active.append({"label": f"Speaks {language}", "remove": without("language")})
    if cleaned.get("accepting"):
        active.append({"label": "Accepts new clients", "remove": without("accepting")})
    if cleaned.get("max_price") is not None:
        active.append({"label": f"Sessions from {cleaned['max_price']} or less", "remove": without("max_price")})
    return active
