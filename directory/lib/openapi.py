"""drf-spectacular hook: say in the OpenAPI document what the API already does with empty filters.

The HTML search form sends every field, so `?language=&verified=` is an ordinary request and an empty
filter means "no filter" (django-filter skips it), and an empty `page` means the first page (DRF's
pagination). Without `allowEmptyValue` the document would claim that such requests are invalid,
and Schemathesis rightly reports the API for accepting them.
"""


def allow_empty_query_values(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
