"""The request form and the therapist's answers. Times are typed in the therapist's local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from appointments.models import BOOKING_HORIZON, HealthAnswers
from appointments.services import check_start
from directory.lib.forms import RowChoiceField, yes_no_field
from therapists.models import Therapist

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LocalDateTimeField(forms.Field):
    """A `datetime-local` input read as wall-clock time in `zone` (the therapist's), whatever the
    visitor's own zone: the appointment happens where the therapist is.

    A time the clocks skip (02:30 on the night they go forward) is refused; a time that happens twice
    (the night they go back) means its first occurrence.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900}, format=DATETIME_INPUT)
    default_error_messages = {"invalid": "Enter a date and a time, for example 2027-03-09 10:00."}

    def __init__(self, *, zone: ZoneInfo, **kwargs):
        self.zone = zone
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for input_format in INPUT_FORMATS:
            try:
                naive = datetime.strptime(str(value).strip(), input_format)
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        local = naive.replace(tzinfo=self.zone)
        # In UTC: a local time of the repeated hour never compares equal across zones (PEP 495).
        moment = local.astimezone(ZoneInfo("UTC"))
        if moment.astimezone(self.zone).replace(tzinfo=None) != naive:
            raise forms.ValidationError(
                f"{naive:%H:%M} does not exist on {naive:%d %B %Y} in {self.zone.key}: the clocks go forward "
                "that night. Choose another time.",
                code="nonexistent",
            )
        return moment


class RequestForm(forms.Form):
    """Receives the therapist, so the massage types and the time zone are theirs."""

    modality = RowChoiceField(
        label="Massage type",
        queryset=None,
        empty_label="Choose a massage type",
        error_messages={
            "required": "Choose the massage type you would like.",
            "invalid_choice": "Choose a massage type this therapist offers.",
        },
    )
    message = forms.CharField(
        label="Message to the therapist",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. What you would like help with; up to 2,000 characters.",
    )
    spine_tumour = yes_no_field(HealthAnswers.QUESTIONS["spine_tumour"])
    skin_condition = yes_no_field(HealthAnswers.QUESTIONS["skin_condition"])
    acute_back_pain = yes_no_field(HealthAnswers.QUESTIONS["acute_back_pain"])
    chronic_illness = yes_no_field(HealthAnswers.QUESTIONS["chronic_illness"])
    # Set by the second step: the client has read the advice that a "yes" shows, and sends anyway.
    advice_read = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, therapist: Therapist, now: datetime, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.therapist = therapist
        self.now = now
        self.fields["modality"].queryset = therapist.modalities.order_by("name")
        local_now = now.astimezone(therapist.zone)
        bounds = {
            "min": local_now.strftime(DATETIME_INPUT),
            "max": (local_now + BOOKING_HORIZON).strftime(DATETIME_INPUT),
        }
        for number in (1, 2, 3):
            field = LocalDateTimeField(
                zone=therapist.zone,
                required=number == 1,
                label=f"Proposed start {number}",
                error_messages={"required": "Propose at least one start time."},
            )
            field.widget = forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": 900, **bounds}, format=DATETIME_INPUT
            )
            self.fields[f"start_{number}"] = field

    @property
    def health_fields(self):
        return [self[name] for name in HealthAnswers.QUESTIONS]

    @property
    def start_fields(self):
        return [self[f"start_{number}"] for number in (1, 2, 3)]

    @property
    def says_yes(self) -> bool:
        return any(self.cleaned_data.get(name) for name in HealthAnswers.QUESTIONS)

    def starts(self) -> list[datetime]:
        return [self.cleaned_data[f"start_{n}"] for n in (1, 2, 3) if self.cleaned_data.get(f"start_{n}")]

    def answers(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in HealthAnswers.QUESTIONS}

    def clean(self):
        cleaned = super().clean()
        seen = []
        for number in (1, 2, 3):
            value = cleaned.get(f"start_{number}")
            if value is None:
                continue
            if value in seen:
                self.add_error(f"start_{number}", "You proposed this time already; each time must differ.")
                continue
            seen.append(value)
            try:
                check_start(self.therapist, value, self.now, within_hours=True)
            except ValidationError as error:
                self.add_error(f"start_{number}", error)
        return cleaned


class ProposeTimeForm(forms.Form):
    def __init__(self, *args, therapist: Therapist, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["starts_at"] = LocalDateTimeField(
            zone=therapist.zone,
            label=f"Another start time ({therapist.zone.key})",
            error_messages={"required": "Enter the start time you propose."},
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the client",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Please give the client a reason for declining."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Please give the client a reason for declining.")
        return reason


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=1000)

