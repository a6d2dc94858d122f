"""Tables for the archive's summary.html: any record of data.json as rows of label and value."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _value(value):
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict):
        return format_html_join("; ", "{}: {}", ((_label(str(k)), _value(v)) for k, v in value.items()))
    if isinstance(value, list):
        return format_html_join("; ", "{}", ((_value(item),) for item in value))
    return str(value)


@register.simple_tag
def record_table(record: dict, exclude: str = ""):
    """One record as a two-column table; every value escaped (it is the person's own text)."""
    skipped = set(exclude.split())
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((_label(k), _value(v)) for k, v in record.items() if k not in skipped),
    )
    return format_html("<table>{}</table>", rows)


@register.simple_tag
def records_table(records: list[dict]):
    """A list of records with the same keys as one table, a row each; "None." for an empty list."""
    if not records:
        return format_html("<p>{}</p>", "None.")
    keys = list(records[0])
    head = format_html_join("", '<th scope="col">{}</th>', ((_label(key),) for key in keys))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_value(record.get(key)),) for key in keys)),) for record in records),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)
