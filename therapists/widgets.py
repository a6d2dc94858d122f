from django import forms


class OneCheckbox(forms.CheckboxInput):
    """A checkbox that sends "1" when ticked; the ChoiceField behind it refuses any other value."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value == "1")

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        return data.get(name)
