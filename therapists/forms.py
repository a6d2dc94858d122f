import functools
import zoneinfo
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from directory.lib.forms import RowChoiceField, RowsChoiceField
from registers.models import Register
from therapists.choices import search_choices
from therapists.credentials import CREDENTIAL_FACTS
from therapists.documents import check_document
from therapists.geo import country_choices, find_place, other_places, suggest_places
from therapists.images import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, check_photo
from therapists.models import (
    EARLIEST_PRACTISING_YEAR,
    Credential,
    Language,
    Modality,
    Need,
    OpeningHours,
    Therapist,
    expiry_error,
)
from therapists.services import PROFILE_FIELDS


class SiteFormMixin:
    """Labels without a trailing colon; fields with errors marked so the stylesheet outlines them."""

    error_css_class = "field-error"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CreateProfileForm(SiteFormMixin, forms.Form):
    display_name = forms.CharField(
        label="Your name as clients will see it", max_length=120, help_text="For example: Anna Schmidt."
    )


class ProfileForm(SiteFormMixin, forms.ModelForm):
    country = forms.ChoiceField(label="Country", required=False)
    website = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Therapist
        fields = PROFILE_FIELDS  # the list update_profile saves: a field added here is saved too
        field_classes = {"modalities": RowsChoiceField, "needs": RowsChoiceField, "languages": RowsChoiceField}
        labels = {
            "display_name": "Your name",
            "headline": "Headline",
            "bio": "About you",
            "practising_since": "Year you started practising",
            "modalities": "Massage types you offer",
            "needs": "Needs you help with",
            "languages": "Languages you speak with clients",
            "price_from": "Lowest session price",
            "price_to": "Highest session price",
            "accepts_new_clients": "I accept new clients",
            "phone": "Phone",
            "contact_email": "Contact email",
        }
        help_texts = {
            "headline": "One line shown under your name in search results.",
            "city": "We place you on the map from your city and country.",
            "price_from": "",
            "price_to": "",
            "currency": "Three letters, for example EUR.",
        }
        widgets = {
            "modalities": forms.CheckboxSelectMultiple,
            "needs": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *country_choices()]
        self.fields["modalities"].queryset = Modality.objects.order_by("name")
        self.fields["needs"].queryset = Need.objects.order_by("name")
        self.fields["languages"].queryset = Language.objects.order_by("name")
        self.fields["practising_since"].widget.attrs.update(
            {"min": EARLIEST_PRACTISING_YEAR, "max": timezone.localdate().year}
        )

    def clean_practising_since(self):
        year = self.cleaned_data.get("practising_since")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError("The year you started practising cannot be in the future.")
        return year

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        price_from, price_to = cleaned.get("price_from"), cleaned.get("price_to")
        if price_from is not None and price_to is not None and price_from > price_to:
            self.add_error("price_to", "The highest price must be at least the lowest price.")
        city, country = (cleaned.get("city") or "").strip(), cleaned.get("country") or ""
        if city and not country:
            self.add_error("country", "Choose the country your city is in.")
        elif city and "city" not in self.errors:
            place = find_place(f"{city}, {country}")
            if place is None:
                self.add_error(
                    "city",
                    "We could not find this city in the chosen country. Check the spelling, "
                    "or use the nearest larger town.",
                )
            else:
                cleaned["latitude"], cleaned["longitude"] = place.latitude, place.longitude
                # The time zone follows the city unless the therapist chose another for this city.
                if not self.instance.time_zone or city != self.instance.city or country != self.instance.country:
                    cleaned["time_zone"] = place.time_zone
        elif not city:
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned


class PhotoForm(SiteFormMixin, forms.Form):
    photo = forms.FileField(
        label="Profile photo",
        help_text=(
            f"JPEG, PNG or WebP, at most {MAX_PHOTO_BYTES // 2**20} MB and {MAX_PHOTO_PIXELS // 10**6} megapixels. "
            "We remove location and camera data."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self):
        # Checked here (a refused file is a field error and the old photo stays); resized by a worker.
        check_photo(self.cleaned_data["photo"])
        return self.cleaned_data["photo"]


class CredentialForm(SiteFormMixin, forms.ModelForm):
    """A licence or certificate. The document is required on submission, optional when editing."""

    class Meta:
        model = Credential
        fields = [*CREDENTIAL_FACTS, "document"]
        field_classes = {"modality": RowChoiceField, "register": RowChoiceField}
        labels = {
            "kind": "Type",
            "title": "Title",
            "issuer": "Issued by",
            "number": "Licence or certificate number",
            "register": "Licensing board's register",
            "modality": "Massage type it certifies",
            "issued_on": "Issue date",
            "expires_on": "Expiry date",
            "document": "Document",
        }
        help_texts = {
            "title": "As printed on the document, for example 'State-certified massage therapist'.",
            "issuer": "The authority, school or association that issued it.",
            "expires_on": "Leave empty if it does not expire.",
            "register": "For a licence: the board's register it is listed in. We look the number and your name "
            "up in it, and our moderators see the register's answer beside your document.",
            "document": "A scan or photo: PDF, JPEG or PNG, at most 10 MB. Only you and our moderators can see it.",
        }
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "document": forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"].queryset = Modality.objects.order_by("name")
        self.fields["modality"].empty_label = "Not specific to one massage type"
        self.fields["document"].required = not self.instance.pk
        registers = Register.objects.imported()
        if registers.exists():
            self.fields["register"].queryset = registers
            self.fields["register"].empty_label = "Not in one of these registers"
        else:
            del self.fields["register"]  # no board's register imported yet: nothing to choose
        self.document_extension = None
        self.document_content = None

    def clean_issued_on(self):
        issued_on: date = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise forms.ValidationError("The issue date cannot be in the future.")
        return issued_on

    def clean_document(self):
        document = self.cleaned_data.get("document")
        # A new upload is an UploadedFile; an edit without one gets the stored file back.
        if isinstance(document, UploadedFile):
            checked = check_document(document)
            # What is stored: the PDF as uploaded, an image re-encoded without its metadata.
            self.document_extension, self.document_content = checked.extension, checked.content
        return document

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        error = expiry_error(issued_on, expires_on)
        if error:
            self.add_error("expires_on", error)
        if cleaned.get("register"):
            if cleaned.get("kind") != Credential.Kind.LICENCE:
                self.add_error("register", "Only a licence is listed in a board's register; leave this empty.")
            elif not (cleaned.get("number") or "").strip():
                self.add_error("number", "Give the licence number as the register writes it, so it can be looked up.")
        return cleaned


APPOINTMENT_LENGTHS = [(minutes, f"{minutes} minutes") for minutes in (30, 45, 60, 75, 90, 120)]
RANGES_PER_DAY = 2


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class OpeningHoursForm(SiteFormMixin, forms.Form):
    """A week of opening hours (up to two ranges a day), the time zone they are in, and whether the
    therapist takes appointment requests. `ranges()` gives the cleaned (weekday, opens, closes) rows."""

    accepts_appointment_requests = forms.BooleanField(
        label="Take appointment requests through the site", required=False,
        help_text="Clients propose times within these hours; you accept, propose another, or decline.",
    )
    appointment_minutes = forms.TypedChoiceField(
        label="Length of an appointment", choices=APPOINTMENT_LENGTHS, coerce=int, initial=60
    )
    time_zone = forms.ChoiceField(label="Time zone", required=False)

    def __init__(self, *args, therapist: Therapist, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist = therapist
        derived = find_place(f"{therapist.city}, {therapist.country}") if therapist.city else None
        self.derived_zone = derived.time_zone if derived else ""
        self.fields["time_zone"].choices = [
            ("", f"From my city ({self.derived_zone})" if self.derived_zone else "From my city"),
            *time_zone_choices(),
        ]
        self.fields["time_zone"].help_text = "Your opening hours and every appointment time are in this zone."
        existing: dict[int, list[OpeningHours]] = {}
        for hours in therapist.opening_hours.all():
            existing.setdefault(hours.weekday, []).append(hours)
        self.days = []
        for weekday, label in OpeningHours.Weekday.choices:
            pairs = []
            for number in range(1, RANGES_PER_DAY + 1):
                current = existing.get(weekday, [])[number - 1 : number]
                for end in ("opens", "closes"):
                    name = f"day{weekday}_{number}_{end}"
                    self.fields[name] = forms.TimeField(
                        label=f"{label}, {'opens' if end == 'opens' else 'closes'}"
                        + ("" if number == 1 else " (second range)"),
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
                        error_messages={"invalid": "Enter a time such as 09:00."},
                    )
                    if current:
                        self.initial[name] = getattr(current[0], f"{end}_at")
                pairs.append((self[f"day{weekday}_{number}_opens"], self[f"day{weekday}_{number}_closes"]))
            self.days.append({"label": label, "pairs": pairs})
        self.initial.setdefault("accepts_appointment_requests", therapist.accepts_appointment_requests)
        self.initial.setdefault("appointment_minutes", therapist.appointment_minutes)
        self.initial.setdefault("time_zone", "" if therapist.time_zone == self.derived_zone else therapist.time_zone)

    def clean(self):
        cleaned = super().clean()
        rows = []
        for weekday, label in OpeningHours.Weekday.choices:
            day = []
            for number in range(1, RANGES_PER_DAY + 1):
                opens_name, closes_name = f"day{weekday}_{number}_opens", f"day{weekday}_{number}_closes"
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens_at, closes_at = cleaned.get(opens_name), cleaned.get(closes_name)
                if opens_at is None and closes_at is None:
                    continue
                if opens_at is None or closes_at is None:
                    self.add_error(opens_name if opens_at is None else closes_name, f"{label}: give both times.")
                elif closes_at <= opens_at:
                    self.add_error(closes_name, f"{label}: the closing time must be after the opening time.")
                else:
                    day.append((opens_at, closes_at))
            day.sort()
            if len(day) == 2 and day[1][0] < day[0][1]:
                self.add_error(f"day{weekday}_2_opens", f"{label}: the two ranges overlap.")
            rows.extend((weekday, opens_at, closes_at) for opens_at, closes_at in day)
        if cleaned.get("accepts_appointment_requests") and not rows and not self.errors:
            self.add_error("accepts_appointment_requests", "Add your opening hours before you take requests.")
        cleaned["time_zone"] = cleaned.get("time_zone") or self.derived_zone
        self.rows = rows
        return cleaned


DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 500
RADIUS_CHOICES_KM = (5, 10, 25, 50, 100, 250, 500)
NEEDS_A_PLACE = "Sorting or filtering by distance needs a place: give a city, or lat and lon."


class SearchForm(forms.Form):
    """The search filter's form: checks the place (a city it geocodes, or lat and lon) as one."""


    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices if choices is not None else search_choices()
        self.fields["modality"].choices = choices["modality"]
        self.fields["need"].choices = choices["need"]
        self.fields["language"].choices = [("", "Any language"), *choices["language"]]
        self.place_suggestions: list = []  # "Did you mean Berlin, DE?" for a city we do not know
        self.other_places: list = []  # the other Springfields, when the city name is ambiguous

    def clean_q(self):
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if text and not any(character.isalnum() for character in text):
            raise ValidationError(
                "Type a name, a massage type or another word: punctuation alone finds nothing.", code="no_words"
            )
        return text

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
                self.place_suggestions = suggest_places(city)
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
                self.other_places = other_places(city, place)
        has_place_error = any(name in self.errors for name in ("lat", "lon", "city"))
        if point is None and not has_place_error:
            if cleaned.get("radius_km") is not None:
                self.add_error("radius_km", ValidationError(NEEDS_A_PLACE, code="needs_place"))
            if cleaned.get("sort") == "distance":
                self.add_error("sort", ValidationError(NEEDS_A_PLACE, code="needs_place"))
        cleaned["point"] = point
        cleaned["place"] = place
        return cleaned
