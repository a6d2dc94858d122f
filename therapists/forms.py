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
from therapists.geo import country_choices, find_place
from therapists.images import process_photo
from therapists.models import (
    EARLIEST_PRACTISING_YEAR,
    Credential,
    Language,
    Modality,
    Need,
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
        elif not city:
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned


class PhotoForm(SiteFormMixin, forms.Form):
    photo = forms.FileField(
        label="Profile photo",
        help_text="JPEG, PNG or WebP, at most 5 MB and 40 megapixels. We remove location and camera data.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self):
        # Decoding happens here, so a bad file is a field error and the old photo is untouched.
        self.processed = process_photo(self.cleaned_data["photo"])
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

    def clean_issued_on(self):
        issued_on: date = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise forms.ValidationError("The issue date cannot be in the future.")
        return issued_on

    def clean_document(self):
        document = self.cleaned_data.get("document")
        # A new upload is an UploadedFile; an edit without one gets the stored file back.
        if isinstance(document, UploadedFile):
            self.document_extension = check_document(document)
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


DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 500
NEEDS_A_PLACE = "Sorting or filtering by distance needs a place: give a city, or lat and lon."


class SearchForm(forms.Form):
    """The search filter's form: checks the place (a city it geocodes, or lat and lon) as one."""


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
