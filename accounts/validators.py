import re

from django.core.exceptions import ValidationError

# The whole password is one short piece said again: "passwordpassword", "abcabcabcabc", "xxxxxxxxxx".
REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)


class RepeatedPatternValidator:
    """Refuse a password that is a short piece repeated, whatever its length.

    Django's common-password list does not contain "passwordpassword", and a length rule alone
    rewards typing a weak word twice; guessing tools try exactly these doublings first.
    """

    message = "This password is one short piece repeated. Choose one that is not a pattern."

    def validate(self, password: str, user=None) -> None:
        if REPEATED.fullmatch(password.lower()):
            raise ValidationError(self.message, code="password_repeated_pattern")

    def get_help_text(self) -> str:
        return "Your password cannot be a short piece repeated, like “passwordpassword”."
