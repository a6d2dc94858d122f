from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from directory.lib.forms import RowChoiceField, yes_no_field
from reviews import rules
from reviews.models import QUESTIONS, REPLY_FLAG_REASONS, Review, ReviewFlag, ReviewReply

RATING_CHOICES = [(1, "1 star"), (2, "2 stars"), (3, "3 stars"), (4, "4 stars"), (5, "5 stars")]
BODY_MIN_LENGTH = 20
BODY_MAX_LENGTH = 5000


def two_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 2, day=28)


class PlainTextField(forms.CharField):
    """Text with browser line endings (CRLF) stored as "\n", before the length is checked:
    browsers count a line break as one character against maxlength, so must we."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class ReviewForm(forms.ModelForm):
    """The structured review. Receives the therapist and author, so a view cannot forget them."""

    rating = forms.TypedChoiceField(
        label="Your overall rating",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose a rating from 1 to 5 stars.",
            "invalid_choice": "Please choose a rating from 1 to 5 stars.",
        },
    )
    # Asked first: a "yes" refuses the review before the author writes it (reviews.rules.INSIDER_REFUSAL).
    insider = yes_no_field(rules.INSIDER_QUESTION)
    consultation_given = yes_no_field(QUESTIONS["consultation_given"])
    unwanted_effects = yes_no_field(QUESTIONS["unwanted_effects"])
    aftercare_given = yes_no_field(QUESTIONS["aftercare_given"])
    body = PlainTextField(
        label="Your review",
        min_length=BODY_MIN_LENGTH,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text, 20 to 5,000 characters. Line breaks are kept.",
    )

    class Meta:
        model = Review
        fields = [
            "insider",
            "consultation_given",
            "unwanted_effects",
            "aftercare_given",
            "rating",
            "title",
            "body",
            "modality",
            "visit_date",
            "author_display_name",
        ]
        field_classes = {"modality": RowChoiceField}
        labels = {
            "title": "Title",
            "modality": "Massage type you received",
            "visit_date": "Date of your visit",
            "author_display_name": "Your name as shown with the review",
        }
        help_texts = {
            "author_display_name": "Shown instead of your email address, which is never shown. "
            "We suggest your first name and an initial.",
        }
        widgets = {"visit_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, therapist, author, appointment=None, **kwargs):
        if kwargs.get("instance") is None:
            kwargs["instance"] = Review(therapist=therapist, author=author)
        super().__init__(*args, **kwargs)
        self.therapist = therapist
        self.author = author
        self.fields["author_display_name"].required = False
        if self.instance.pk is None:
            self.initial.setdefault("author_display_name", author.public_name)
        if self.instance.pk is not None:
            # Answered "no" when the review was written; an edit does not ask again.
            del self.fields["insider"]
        self.appointment = appointment
        modalities = therapist.modalities.all()
        self.fields["modality"].queryset = modalities
        self.fields["modality"].empty_label = "Choose a massage type"
        self.fields["modality"].error_messages["invalid_choice"] = "Choose a massage type this therapist offers."
        # Only when the therapist lists massage types is there something to choose.
        self.fields["modality"].required = modalities.exists()
        today = timezone.localdate()
        self.fields["visit_date"].widget.attrs.update({"max": today.isoformat(), "min": two_years_before(today)})
        if appointment is not None:
            # An invited review is about that visit: its date and massage type come from the appointment.
            self.fields["modality"].disabled = self.fields["visit_date"].disabled = True
            self.initial["modality"] = appointment.modality_id
            self.initial["visit_date"] = appointment.local_starts_at.date()

    def is_insider(self) -> bool:
        """True when the author answered "yes" to the insider question (checked before the rest of the form)."""
        field = self.fields.get("insider")
        if field is None or not self.is_bound:
            return False
        return self.data.get(self.add_prefix("insider")) == "True"

    def clean_author_display_name(self):
        # Left empty, the suggestion (first name and initial) is used; never the email address.
        name = self.cleaned_data["author_display_name"].strip() or self.author.public_name
        if "@" in name:
            raise forms.ValidationError("Please do not show an email address with your review; use your first name.")
        return name

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_visit_date(self):
        if self.appointment is not None:
            return self.appointment.local_starts_at.date()
        visit_date = self.cleaned_data["visit_date"]
        today = timezone.localdate()
        if visit_date > today:
            raise forms.ValidationError("The visit date cannot be in the future.")
        if visit_date < two_years_before(today):
            raise forms.ValidationError("Please review visits from the last two years only.")
        return visit_date


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with this review?", choices=ReviewFlag.Reason.choices)
    note = forms.CharField(
        label="Note for the moderators",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you choose “Other”.",
    )

    def clean(self):
        cleaned_data = super().clean()
        # The database refuses "other" without a note too; this says so next to the field.
        if cleaned_data.get("reason") == ReviewFlag.Reason.OTHER and not cleaned_data.get("note", "").strip():
            self.add_error("note", "Please say what is wrong when you choose “Other”.")
        return cleaned_data


class ReplyFlagForm(FlagForm):
    """Reporting a therapist's reply: the reasons that apply to a reply (reviews.models.REPLY_FLAG_REASONS)."""

    reason = forms.ChoiceField(
        label="What is wrong with this reply?", choices=[(reason.value, reason.label) for reason in REPLY_FLAG_REASONS]
    )


class ReplyForm(forms.ModelForm):
    class Meta:
        model = ReviewReply
        fields = ["body"]
        labels = {"body": "Your public reply"}
        help_texts = {"body": "Plain text, up to 3,000 characters. Everyone reading the review sees it."}
        # The rule above the box (reviews/reply_form.html, id reply-rule) is read out with the field, then the help.
        widgets = {"body": forms.Textarea(attrs={"rows": 6, "aria-describedby": "reply-rule id_body_helptext"})}


STAR_CHOICES = [(stars, f"{stars} star{'s' if stars > 1 else ''}") for stars in range(5, 0, -1)]


class ReviewListForm(forms.Form):
    """The profile's review list: ?sort=newest|highest|lowest, verified=1 (verified visits only), stars=1..5.

    Always usable: a value it refuses falls back to that field's default (newest first, every review,
    every rating) and `notices` says so in words, so a mistyped or stale link shows a page, never an error.
    """

    sort = forms.ChoiceField(label="Sort", choices=list(rules.SORTS.items()), required=False)
    stars = forms.TypedChoiceField(
        label="Stars", choices=[("", "Any rating"), *STAR_CHOICES], coerce=int, required=False, empty_value=None
    )
    # "0" is what a stale "off" link may carry; anything but "1" and "0" is refused.
    verified = forms.TypedChoiceField(
        label="Verified visits only",
        choices=[("1", "Yes"), ("0", "No")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
    )

    DEFAULTS = {"sort": rules.DEFAULT_SORT, "stars": None, "verified": False}

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.is_valid()
        self.choices = {name: self.cleaned_data.get(name, default) for name, default in self.DEFAULTS.items()}
        if self.choices["sort"] in ("", None):
            self.choices["sort"] = rules.DEFAULT_SORT
        self.notices = [self._notice(name) for name in self.fields if name in self.errors]

    def _notice(self, name: str) -> str:
        # Echoed (escaped by the template) so the visitor sees what was refused; control characters dropped.
        given = "".join(char for char in str(self.data.get(name, "")) if char.isprintable())[:40]
        if name == "sort":
            shown = rules.SORTS[rules.DEFAULT_SORT].lower()
            return f"Reviews cannot be sorted by “{given}”, so they are shown {shown}."
        if name == "stars":
            return f"“{given}” is not a star rating from 1 to 5, so reviews of every rating are shown."
        return f"“{given}” is not a choice for verified visits, so all reviews are shown."

    # Not named like the fields: a property `sort` in the class body would replace the field itself.
    @property
    def sort_by(self) -> str:
        return self.choices["sort"]

    @property
    def stars_only(self) -> int | None:
        return self.choices["stars"]

    @property
    def verified_only(self) -> bool:
        return self.choices["verified"]

    @property
    def sort_label(self) -> str:
        return rules.SORTS[self.sort_by]

    @property
    def unfiltered_query(self) -> str:
        """Every review, in the order chosen now."""
        return self.query(stars=None, verified=False)

    @property
    def is_filtered(self) -> bool:
        return self.verified_only or self.stars_only is not None

    def filter(self, reviews):
        """The chosen reviews in the chosen order, as QuerySet methods on `reviews` (published ones)."""
        if self.verified_only:
            reviews = reviews.verified_visits()
        if self.stars_only is not None:
            reviews = reviews.with_rating(self.stars_only)
        return reviews.sorted_by(self.sort_by)

    def count(self, rating_counts: dict[int, dict[str, int]]) -> int:
        """How many reviews filter() keeps, read from ReviewQuerySet.rating_counts() (no COUNT query)."""
        column = "verified" if self.verified_only else "all"
        stars = [self.stars_only] if self.stars_only is not None else list(rating_counts)
        return sum(rating_counts[each][column] for each in stars)

    def query(self, **changes) -> str:
        """The query string of this list with `changes` (None drops a value), defaults and page left out."""
        values = {**self.choices, **changes}
        params = {}
        if values["sort"] and values["sort"] != rules.DEFAULT_SORT:
            params["sort"] = values["sort"]
        if values["stars"] is not None:
            params["stars"] = values["stars"]
        if values["verified"]:
            params["verified"] = "1"
        if values.get("page") not in (None, 1):
            params["page"] = values["page"]
        return urlencode(params)
