"""drf-spectacular hooks: say in the OpenAPI document what the API and its server already do.

Empty filters:
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


# gunicorn's limit_request_line (its default): a longer request line never reaches Django.
MAX_REQUEST_LINE_BYTES = 4094


def document_server_refusals(result, generator, request, public):
    """Every operation can be answered 414 by the server in front of the API, before it runs."""
    refusal = {
        "description": f"URI too long: the request line is over {MAX_REQUEST_LINE_BYTES:,} bytes, and the "
        "server refuses it before the API reads it. Send fewer or shorter query parameters."
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault("414", refusal)
    return result
