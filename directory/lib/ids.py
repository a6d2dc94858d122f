"""Form fields that range-check an id before it reaches the database.

A ModelMultipleChoiceField passes every submitted value to `pk__in`; on SQLite a value beyond
64 bits (9999999999999999999999999) raised OverflowError, a 500, and PostgreSQL answers such a
value with an error of its own. Ids are positive 64-bit integers (BigAutoField): anything else is
refused with the field's own "not a valid value" message, before a query is made.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1
DIGITS = re.compile(r"[0-9]{1,19}")


def is_valid_id(value) -> bool:
    text = str(value).strip()
    return bool(DIGITS.fullmatch(text)) and 1 <= int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_valid_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not is_valid_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
