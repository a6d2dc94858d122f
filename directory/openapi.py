"""drf-spectacular hook: say in the OpenAPI document what the API already does with empty filters.

The HTML search form sends every field, so `?language=&verified=` is an ordinary request and an empty
filter means "no filter" (django-filter skips it). Without `allowEmptyValue` the document would claim
that such requests are invalid, and Schemathesis rightly reports the API for accepting them.
`page` is left out: an empty page number is refused with 404 "Invalid page.".
"""

NOT_EMPTY = {"page"}


def allow_empty_query_values(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required") and (
                    parameter["name"] not in NOT_EMPTY
                ):
                    parameter["allowEmptyValue"] = True
    return result
