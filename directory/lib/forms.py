"""Form fields shared by the apps' forms.

Row choices refuse an id no database column can hold:
Django's model choice fields pass the submitted id straight to the query; an id past the 64-bit range
("9" * 30) makes SQLite raise OverflowError and PostgreSQL a DataError: a 500 for a typing slip or a
probe. Out of range, it is simply not one of the choices.
"""

from django import forms
from django.core.exceptions import ValidationError

BIGINT_RANGE = range(-(2**63), 2**63)


def _out_of_range(value) -> bool:
    try:
        return int(str(value).strip()) not in BIGINT_RANGE
    except ValueError:
        return False  # not a number at all: Django refuses it with its own message


class RowChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and _out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if _out_of_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def yes_no_field(question: str) -> forms.TypedChoiceField:
    """A required yes/no question as two radio buttons, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=question,
        choices=[("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer this question with yes or no."},
    )


def is_row_id(value: str) -> bool:
    """Whether a submitted id can name a row: digits within the 64-bit range."""
    return value.isdigit() and not _out_of_range(value)
