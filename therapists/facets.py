"""Counts beside every filter option, and the way out of an empty result.

A count answers "how many would I see if I chose this?": it is taken over the current search minus
the filter's own family (choosing a second massage type widens the search, so the other massage
types are counted without the first). Every family is one grouped SELECT; the families travel as
one UNION, so a page with counts costs one query, and the answer is kept FACET_SECONDS in the
shared cache under the normalised search (the order of parameters, sort and page do not matter).
"""

import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Value

from directory.lib.cache import GENERATION_KEY
from therapists.forms import MAX_RADIUS_KM, RADIUS_CHOICES_KM
from therapists.models import Therapist

FACET_SECONDS = 60
# family -> (the many-to-many table, the option's value through it)
MANY = {
    "modality": (Therapist.modalities.through, "modality__slug"),
    "need": (Therapist.needs.through, "need__slug"),
    "language": (Therapist.languages.through, "language__code"),
}
# family -> the boolean column its one option ("1") tests
FLAGS = {"verified": "has_verified_licence", "accepting": "accepts_new_clients"}
NEAREST_OUTSIDE = 5


def normalised_search(therapist_filter) -> str:
    """The cleaned search as a stable string: what decides the counts, nothing else."""
    cleaned = therapist_filter.form.cleaned_data
    shown = {}
    for name in (*therapist_filter.in_use(), "radius_km"):
        value = cleaned.get(name)
        if name == "place":
            value = [round(coordinate, 5) for coordinate in cleaned["point"]]
            shown["radius_km"] = therapist_filter.search_radius_km
        elif isinstance(value, list):
            value = sorted(value)
        if name != "radius_km":
            shown[name] = value
    return json.dumps(shown, sort_keys=True, default=str)


def _cache_key(prefix: str, therapist_filter) -> str:
    # The public pages' generation: a suspended or newly published therapist changes the counts at once.
    generation = cache.get(GENERATION_KEY, 0)
    return f"{prefix}:{generation}:" + hashlib.sha256(normalised_search(therapist_filter).encode()).hexdigest()


def facet_counts(therapist_filter) -> dict[str, dict[str, int]]:
    """{family: {option value: therapists}} for every family in MANY and FLAGS; absent options count 0.

    {"total": {"": n}} is the search's own result count, in the same query, for the paginator.
    """
    key = _cache_key("facet-counts:v1", therapist_filter)
    counts = cache.get(key)
    if counts is not None:
        return counts
    parts = []
    for family, (through, option) in MANY.items():
        members = therapist_filter.without(family).values("pk")
        parts.append(
            through.objects.filter(therapist__in=members)
            .annotate(family=Value(family))
            .values_list("family", option)
            .annotate(therapists=Count("therapist_id"))
            .order_by()
        )
    for family, column in FLAGS.items():
        parts.append(
            therapist_filter.without(family)
            .filter(**{column: True})
            .annotate(family=Value(family), option=Value("1"))
            .values_list("family", "option")
            .annotate(therapists=Count("pk"))
            .order_by()
        )
    parts.append(
        therapist_filter.without()
        .annotate(family=Value("total"), option=Value(""))
        .values_list("family", "option")
        .annotate(therapists=Count("pk"))
        .order_by()
    )
    counts = {family: {} for family in (*MANY, *FLAGS, "total")}
    first, *others = parts
    for family, option, therapists in first.union(*others, all=True):
        counts[family][option] = therapists
    cache.set(key, counts, FACET_SECONDS)
    return counts


def counts_without_each_filter(therapist_filter) -> dict[str, int]:
    """{filter in use: how many the search finds without it}, in one UNION query (for an empty result)."""
    names = therapist_filter.in_use()
    if not names:
        return {}
    parts = [
        therapist_filter.without(name)
        .annotate(dropped=Value(name))
        .values_list("dropped")
        .annotate(therapists=Count("pk"))
        .order_by()
        for name in names
    ]
    first, *others = parts
    counts = dict.fromkeys(names, 0)
    counts.update(dict(first.union(*others, all=True)) if others else dict(first))
    return counts


def nearest_outside(therapist_filter) -> list[Therapist]:
    """The closest therapists matching everything but the radius, up to MAX_RADIUS_KM away."""
    point = therapist_filter.point
    if point is None or therapist_filter.search_radius_km >= MAX_RADIUS_KM:
        return []
    return list(
        therapist_filter.without("place")
        .near(*point, MAX_RADIUS_KM)
        .defer("bio", "search_document", "suspended_reason", "score_breakdown")
        .order_by("distance_km", "-score", "pk")[:NEAREST_OUTSIDE]
    )


def radius_reaching(distance_km: float) -> int:
    """The smallest radius of the form's select that reaches a therapist this far away."""
    for radius in RADIUS_CHOICES_KM:
        if radius >= distance_km:
            return radius
    return MAX_RADIUS_KM
