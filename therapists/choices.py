"""The search form's choices (modalities, needs, languages), kept a few minutes in the shared cache."""

from django.core.cache import cache
from django.db.models import Value

from therapists.models import Language, Modality, Need

# Staff edit modalities, needs and languages rarely, in the admin; a new one shows within minutes.
CHOICES_CACHE_KEY = "search-choices:v2"
CHOICES_CACHE_SECONDS = 300


def search_choices() -> dict:
    """Modalities, needs and languages as (value, label) lists, from the shared cache or one query.

    One UNION instead of three queries, and a cache in front of it, keep the search and home pages
    within their query budget. "ids" maps each family's values to primary keys ({"modality":
    {"sports": 3}, …}), for the denormalised filter arrays (TherapistQuerySet.offering()).
    """
    choices = cache.get(CHOICES_CACHE_KEY)
    if choices is None:
        choices = _search_choices_from_database()
        cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def choice_ids(family: str, values) -> list[int]:
    """The primary keys of the chosen values of one family ("modality", "need", "language")."""
    ids = search_choices()["ids"][family]
    return sorted(ids[value] for value in values if value in ids)


def _search_choices_from_database() -> dict:
    rows = (
        Modality.objects.annotate(kind=Value("modality"))
        .values_list("kind", "slug", "name", "pk")
        .order_by()
        .union(
            Need.objects.annotate(kind=Value("need")).values_list("kind", "slug", "name", "pk").order_by(),
            Language.objects.annotate(kind=Value("language")).values_list("kind", "code", "name", "pk").order_by(),
            all=True,
        )
    )
    choices: dict = {"modality": [], "need": [], "language": [], "ids": {"modality": {}, "need": {}, "language": {}}}
    for kind, value, label, pk in sorted(rows, key=lambda row: (row[0], row[2])):
        choices[kind].append((value, label))
        choices["ids"][kind][value] = pk
    return choices
