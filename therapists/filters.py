"""TherapistFilter: the one definition of every search parameter, for the HTML page and the API.

The parameters are the public contract in DESIGN.md. A bad value becomes a form error on its field,
which the HTML page shows next to the input and the API returns as a 400 {field: [reason]}.
"""

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.http import QueryDict
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from therapists.geo import find_place
from therapists.models import Language, Modality, Need, Therapist

DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 500
SORT_CHOICES = [
    ("score", "Qualification score"),
    ("rating", "Client rating"),
    ("experience", "Years of experience"),
    ("reviews", "Number of reviews"),
    ("distance", "Distance"),
]
NEEDS_A_PLACE = "Sorting or filtering by distance needs a place: give a city, or lat and lon."


# Staff edit modalities, needs and languages rarely, in the admin; a new one shows within minutes.
CHOICES_CACHE_KEY = "search-choices:v1"
CHOICES_CACHE_SECONDS = 300


def search_choices() -> dict[str, list[tuple[str, str]]]:
    """Modalities, needs and languages as (value, label) lists, from the shared cache or one query.

    One UNION instead of three queries, and a cache in front of it, keep the search and home pages
    within their query budget.
    """
    choices = cache.get(CHOICES_CACHE_KEY)
    if choices is None:
        choices = _search_choices_from_database()
        cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def _search_choices_from_database() -> dict[str, list[tuple[str, str]]]:
    rows = (
        Modality.objects.annotate(kind=Value("modality"))
        .values_list("kind", "slug", "name")
        .order_by()
        .union(
            Need.objects.annotate(kind=Value("need")).values_list("kind", "slug", "name").order_by(),
            Language.objects.annotate(kind=Value("language")).values_list("kind", "code", "name").order_by(),
            all=True,
        )
    )
    choices: dict[str, list[tuple[str, str]]] = {"modality": [], "need": [], "language": []}
    for kind, value, label in sorted(rows, key=lambda row: (row[0], row[2])):
        choices[kind].append((value, label))
    return choices


class OneCheckbox(forms.CheckboxInput):
    """A checkbox that sends "1" when ticked; the ChoiceField behind it refuses any other value."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value == "1")

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        return data.get(name)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class TherapistSearchForm(forms.Form):
    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices if choices is not None else search_choices()
        self.fields["modality"].choices = choices["modality"]
        self.fields["need"].choices = choices["need"]
        self.fields["language"].choices = [("", "Any language"), *choices["language"]]

    def clean(self):
        cleaned = super().clean()
        latitude, longitude, city = cleaned.get("lat"), cleaned.get("lon"), cleaned.get("city")
        point = place = None
        if "lat" in self.errors or "lon" in self.errors:
            pass
        elif (latitude is None) != (longitude is None):
            missing = "lon" if longitude is None else "lat"
            self.add_error(missing, "Give both lat and lon, or neither.")
        elif latitude is not None:
            point = (float(latitude), float(longitude))
        elif city:
            place = find_place(city)
            if place is None:
                # The city goes in as a parameter, never into the message itself: a "%" typed
                # by the visitor would otherwise break the message's own formatting (a 500).
                self.add_error(
                    "city",
                    ValidationError(
                        "We don't know a city called “%(city)s”. Check the spelling, or add the country: “Paris, FR”.",
                        code="unknown_city",
                        params={"city": city},
                    ),
                )
            else:
                point = (place.latitude, place.longitude)
        has_place_error = any(name in self.errors for name in ("lat", "lon", "city"))
        if point is None and not has_place_error:
            if cleaned.get("radius_km") is not None:
                self.add_error("radius_km", NEEDS_A_PLACE)
            if cleaned.get("sort") == "distance":
                self.add_error("sort", NEEDS_A_PLACE)
        cleaned["point"] = point
        cleaned["place"] = place
        return cleaned


class TherapistFilter(filters.FilterSet):
    q = filters.CharFilter(
        label="Name, massage type or keywords", method="filter_text", max_length=200, help_text="For example “sports”."
    )
    city = filters.CharFilter(
        label="City",
        method="filter_by_point",
        max_length=100,
        help_text="Add the country if the name is common: “Paris, FR”.",
    )
    lat = filters.NumberFilter(label="Latitude", method="filter_by_point", min_value=-90, max_value=90)
    lon = filters.NumberFilter(label="Longitude", method="filter_by_point", min_value=-180, max_value=180)
    radius_km = filters.NumberFilter(
        label="Within (km)",
        method="filter_by_point",
        min_value=1,
        max_value=MAX_RADIUS_KM,
        help_text=f"Distance from the city or point; {DEFAULT_RADIUS_KM} km if left empty.",
    )
    modality = filters.MultipleChoiceFilter(
        label="Massage type",
        method="filter_modality",
        choices=lambda: search_choices()["modality"],
        widget=forms.CheckboxSelectMultiple,
    )
    need = filters.MultipleChoiceFilter(
        label="What you need help with",
        method="filter_need",
        choices=lambda: search_choices()["need"],
        widget=forms.CheckboxSelectMultiple,
    )
    verified = filters.ChoiceFilter(
        label="Verified licence only", method="filter_verified", choices=[("1", "Yes")], widget=OneCheckbox
    )
    min_rating = filters.NumberFilter(
        label="Minimum average rating", field_name="rating_avg", lookup_expr="gte", min_value=1, max_value=5
    )
    min_years = IntegerFilter(label="Minimum years of experience", method="filter_min_years", min_value=0, max_value=80)
    language = filters.ChoiceFilter(
        label="Language", method="filter_language", choices=lambda: search_choices()["language"], empty_label=None
    )
    accepting = filters.ChoiceFilter(
        label="Accepts new clients", method="filter_accepting", choices=[("1", "Yes")], widget=OneCheckbox
    )
    max_price = IntegerFilter(
        label="Maximum price of a session", field_name="price_from", lookup_expr="lte", min_value=0
    )
    sort = filters.ChoiceFilter(label="Sort by", method="filter_nothing", choices=SORT_CHOICES, empty_label=None)

    class Meta:
        model = Therapist
        fields = []
        form = TherapistSearchForm

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QueryDict):
            # The home page's "Any type" option sends modality=; an empty value means no filter.
            data = data.copy()
            for name in ("modality", "need"):
                if name in data:
                    data.setlist(name, [value for value in data.getlist(name) if value.strip()])
        super().__init__(data, *args, **kwargs)

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)

    def filter_by_point(self, queryset, name, value):
        # city, lat, lon and radius_km act together, once, in filter_queryset.
        return queryset

    filter_nothing = filter_by_point

    def filter_modality(self, queryset, name, value: str):
        return queryset.offering(value)

    def filter_need(self, queryset, name, value: str):
        return queryset.helping_with(value)

    def filter_verified(self, queryset, name, value):
        # The denormalised flag recompute_score keeps current, instead of a credentials subquery.
        return queryset.filter(has_verified_licence=True)

    def filter_min_years(self, queryset, name, value):
        return queryset.with_experience(value)

    def filter_language(self, queryset, name, value: str):
        return queryset.speaking(value)

    def filter_accepting(self, queryset, name, value):
        return queryset.filter(accepts_new_clients=True)

    def filter_queryset(self, queryset):
        # Whatever queryset a caller passes, only published therapists are ever listed.
        queryset = queryset.published()
        cleaned = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, cleaned.get(name))
        point = cleaned.get("point")
        if point is not None:
            radius = float(cleaned.get("radius_km") or DEFAULT_RADIUS_KM)
            queryset = queryset.near(*point, radius)
        sort = cleaned.get("sort") or "score"
        if sort == "distance" and point is None:
            sort = "score"
        queryset = queryset.sorted_by(sort)
        if sort == "score" and "search_rank" in queryset.query.annotations:
            queryset = queryset.order_by("-score", "-search_rank", "-review_count", "pk")
        return queryset

    @property
    def point(self) -> tuple[float, float] | None:
        return self.form.cleaned_data.get("point") if self.is_valid() else None

    @property
    def search_radius_km(self) -> float:
        return float(self.form.cleaned_data.get("radius_km") or DEFAULT_RADIUS_KM)

    def active_filters(self) -> list[dict]:
        """Each filter in use, with the query string that drops it (one-click removal)."""
        if not self.is_bound:
            return []
        data, cleaned, fields = self.data, self.form.cleaned_data, self.form.fields
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
                    "label": f"Within {self.search_radius_km:g} km of {place.name}, {place.country}",
                    "remove": without("city", "radius_km"),
                }
            )
        elif cleaned.get("point") is not None:
            latitude, longitude = cleaned["point"]
            active.append(
                {
                    "label": f"Within {self.search_radius_km:g} km of {latitude:.3f}, {longitude:.3f}",
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
