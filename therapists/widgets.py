from django import forms


class OneCheckbox(forms.CheckboxInput):
    """A checkbox that sends "1" when ticked; the ChoiceField behind it refuses any other value."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value == "1")

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class RadiusSelect(forms.Select):
    """A few distances to choose from, the default as the empty choice.

    A radius that is not one of them (typed into the URL, or a "widen to 60 km" link) is added as
    its own option, so the form shows the search that was made.
    """

    def __init__(self, distances, default, attrs=None):
        super().__init__(attrs)
        self.distances, self.default = distances, default

    def get_context(self, name, value, attrs):
        shown = {float(distance) for distance in self.distances if distance != self.default}
        try:
            chosen = float(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            chosen = None
        if chosen is not None and chosen != self.default:
            shown.add(chosen)
        choices = [(f"{distance:g}", f"{distance:g} km") for distance in sorted(shown)]
        default_at = sum(1 for distance in sorted(shown) if distance < self.default)
        choices.insert(default_at, ("", f"{self.default} km"))
        self.choices = choices
        if chosen == self.default:
            value = ""
        return super().get_context(name, "" if value is None else (f"{chosen:g}" if chosen else value), attrs)
