from django import forms
from django.core.exceptions import ValidationError

from reviews import rules as review_rules

WRONG_PASSWORD = "That is not your password. Nothing was deleted."  # noqa: S105 (a message, not a password)


class DeleteAccountForm(forms.Form):
    """The last step of deleting an account: the password again, and what becomes of the reviews.

    Receives the user, so the view cannot check someone else's password; the review question is
    asked only of someone who wrote reviews, with no answer chosen for them.
    """

    KEEP, DELETE = "keep", "delete"

    reviews = forms.ChoiceField(
        label="Your reviews",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to your reviews. Nothing was deleted."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm. Nothing was deleted."},
    )

    def __init__(self, *args, user, review_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not review_count:
            del self.fields["reviews"]
            return
        one = review_count == 1
        it, its_scores = ("it", "the therapist’s score") if one else ("them", "the therapists’ scores")
        self.fields["reviews"].choices = [
            (self.KEEP, f"Keep {it}, signed “{review_rules.FORMER_CLIENT_NAME}”, counting toward {its_scores}"),
            (self.DELETE, f"Delete {it}: {its_scores} {'is' if one else 'are'} recalculated without {it}"),
        ]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(WRONG_PASSWORD)
        return password

    @property
    def keep_reviews(self) -> bool:
        return self.cleaned_data.get("reviews") == self.KEEP
