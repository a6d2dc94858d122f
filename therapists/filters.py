"""TherapistFilter: the one definition of every search parameter, for the HTML page and the API.

The parameters are the public contract in DESIGN.md. A bad value becomes a form error on its field,
which the HTML page shows next to the input and the API returns as a 400 {field: [reason]}.
"""

from django import forms
from django.http import QueryDict
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from therapists.choices import choice_ids, search_choices
from therapists.forms import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, RADIUS_CHOICES_KM, SearchForm
from therapists.models import Therapist
from therapists.widgets import OneCheckbox, RadiusSelect

SORT_CHOICES = [
    ("score", "Qualification score"),
    ("rating", "Client rating"),
    ("experience", "Years of experience"),
    ("reviews", "Number of reviews"),
    ("distance", "Distance"),
]


# The filters that narrow the result (sort and the correction switch do not), in the form's order.
NARROWING = (
    "q", "modality", "need", "verified", "min_rating", "min_years", "language", "accepting", "max_price",
)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


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
    # Hidden on the page: "Use my location" fills them from the browser; the API takes them as they are.
    lat = filters.NumberFilter(
        label="Latitude", method="filter_by_point", min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lon = filters.NumberFilter(
        label="Longitude", method="filter_by_point", min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    radius_km = filters.NumberFilter(
        label="Within",
        method="filter_by_point",
        min_value=1,
        max_value=MAX_RADIUS_KM,
        help_text=f"Distance in km from the city or your location; {DEFAULT_RADIUS_KM} km if left empty.",
        widget=RadiusSelect(RADIUS_CHOICES_KM, DEFAULT_RADIUS_KM),
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
    # "1" = search the words as typed: the link under a spelling correction ("search for masage instead").
    exact = filters.ChoiceFilter(
        label="Search the words exactly as typed",
        method="filter_nothing",
        choices=[("1", "Yes")],
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Therapist
        fields = []
        form = SearchForm

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
        return queryset.offering(value, ids=choice_ids("modality", value))

    def filter_need(self, queryset, name, value: str):
        return queryset.helping_with(value, ids=choice_ids("need", value))

    def filter_verified(self, queryset, name, value):
        # The denormalised flag recompute_score keeps current, instead of a credentials subquery.
        return queryset.filter(has_verified_licence=True)

    def filter_min_years(self, queryset, name, value):
        return queryset.with_experience(value)

    def filter_language(self, queryset, name, value: str):
        return queryset.speaking(value, ids=choice_ids("language", [value]))

    def filter_accepting(self, queryset, name, value):
        return queryset.filter(accepts_new_clients=True)

    def filter_queryset(self, queryset):
        queryset = self._narrowed(queryset)
        cleaned = self.form.cleaned_data
        point = cleaned.get("point")
        sort = cleaned.get("sort") or "score"
        if sort == "distance" and point is None:
            sort = "score"
        return queryset.sorted_by(sort)

    def _narrowed(self, queryset, without: tuple[str, ...] = ()):
        # Whatever queryset a caller passes, only published therapists are ever listed.
        queryset = queryset.published()
        cleaned = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            if name not in without:
                queryset = filter_.filter(queryset, cleaned.get(name))
        point = cleaned.get("point")
        if point is not None and "place" not in without:
            queryset = queryset.near(*point, self.search_radius_km)
        return queryset

    def without(self, *names: str):
        """The search's therapists, unsorted, ignoring the named filters ("place" = city or point).

        What the facet counts and the empty page's suggestions count: "this search minus that filter".
        """
        return self._narrowed(self.queryset, without=names).order_by()

    def in_use(self) -> list[str]:
        """Names of the narrowing filters this search uses, "place" for the city or point."""
        cleaned = self.form.cleaned_data
        names = [name for name in NARROWING if cleaned.get(name) not in (None, "", [])]
        if cleaned.get("point") is not None:
            names.insert(1 if "q" in names else 0, "place")
        return names

    @property
    def point(self) -> tuple[float, float] | None:
        return self.form.cleaned_data.get("point") if self.is_valid() else None

    @property
    def search_radius_km(self) -> float:
        return float(self.form.cleaned_data.get("radius_km") or DEFAULT_RADIUS_KM)
