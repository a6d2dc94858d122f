from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from moderation.models import Decision
from therapists.models import Credential, expiry_error


class ReasonForm(forms.Form):
    """A decision that must say why: reject, revoke, hide, suspend."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give a reason; it is shown to the people concerned."},
    )


class OptionalReasonForm(forms.Form):
    """A decision that may say why (restore, dismiss, unsuspend); the note goes into the log only."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False, label="Note for the log (optional)"
    )


class VerifyCredentialForm(forms.Form):
    expires_on = forms.DateField(
        required=False,
        label="Expiry date",
        help_text="Correct it if the document shows another date; leave it to keep the submitted one.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, credential: Credential, **kwargs):
        self.credential = credential
        super().__init__(*args, **kwargs)
        if not self.is_bound and credential.expires_on:
            self.initial["expires_on"] = credential.expires_on.isoformat()

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        error = expiry_error(self.credential.issued_on, expires_on)
        if error:
            raise forms.ValidationError(error)
        return expires_on


class CredentialQueueFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Credential.Kind.choices], required=False)
    older_than = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label="Waiting more than (days)"
    )

    def filter(self, credentials):
        if not self.is_valid():
            return credentials
        if kind := self.cleaned_data["kind"]:
            credentials = credentials.filter(kind=kind)
        if (days := self.cleaned_data["older_than"]) is not None:
            credentials = credentials.filter(submitted_at__lt=timezone.now() - timedelta(days=days))
        return credentials


class TherapistLookupForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name or address (slug)")

    def filter(self, therapists):
        if not self.is_valid() or not self.cleaned_data["q"].strip():
            return therapists.none()
        q = self.cleaned_data["q"].strip()
        return therapists.filter(Q(display_name__icontains=q) | Q(slug__icontains=q))


class DecisionLogFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "All actions"), *Decision.Action.choices], required=False)
    actor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any moderator", label="Moderator"
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Everyone who has ever decided, including former moderators.
        self.fields["actor"].queryset = User.objects.filter(
            pk__in=Decision.objects.exclude(actor=None).values("actor")
        ).order_by("email")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", "The end date cannot be before the start date.")
        return cleaned

    def filter(self, decisions):
        if not self.is_valid():
            return decisions
        data = self.cleaned_data
        if data["action"]:
            decisions = decisions.filter(action=data["action"])
        if data["actor"]:
            decisions = decisions.filter(actor=data["actor"])
        if data["date_from"]:
            decisions = decisions.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            decisions = decisions.filter(created_at__date__lte=data["date_to"])
        return decisions
