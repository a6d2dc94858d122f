"""The query parameters of the HSDS API (api_reference.md), each refused with its field and reason.

Filters combine as a cumulative AND, as the reference requires. An empty value is no filter, as on
our own API (the OpenAPI document says so with allowEmptyValue).
"""

import uuid

from rest_framework import serializers

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Far beyond any real page, small enough that page * per_page stays a valid SQL OFFSET.
MAX_PAGE = 1_000_000
MAX_SEARCH_LENGTH = 100


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_PAGE, help_text="Page number, from 1."
    )
    per_page = serializers.IntegerField(
        required=False,
        default=DEFAULT_PER_PAGE,
        min_value=1,
        max_value=MAX_PER_PAGE,
        help_text=f"Results per page, 1 to {MAX_PER_PAGE}.",
    )
    search = serializers.CharField(
        required=False,
        help_text=f"Free text over the practice's name, headline, description, city and massage types "
        f"(at most {MAX_SEARCH_LENGTH} characters).",
    )

    def validate_search(self, value: str) -> str:
        # Checked here, not declared as maxLength, like the `q` of our own API: a fuzzer's "too long"
        # example would otherwise be thousands of percent-encoded bytes that gunicorn refuses (414)
        # before the request reaches us.
        if len(value) > MAX_SEARCH_LENGTH:
            raise serializers.ValidationError(f"Ensure this field has no more than {MAX_SEARCH_LENGTH} characters.")
        return value


class ServiceParams(PageParams):
    taxonomy_term_id = serializers.UUIDField(
        required=False, help_text="Only services classified with this term (a massage type or a need)."
    )
    taxonomy_id = serializers.UUIDField(required=False, help_text="Only services with a term of this taxonomy.")
    organization_id = serializers.UUIDField(required=False, help_text="Only the services of this organization.")
    modified_after = serializers.DateTimeField(
        required=False, help_text="Only services whose last_modified is at or after this moment (ISO 8601)."
    )


class TaxonomyTermParams(PageParams):
    taxonomy_id = serializers.UUIDField(required=False, help_text="Only the terms of this taxonomy.")


def validated(params_class: type[PageParams], query) -> dict:
    """The cleaned parameters; a ValidationError (400 {field: [reason]}) for any bad one."""
    given = {name: value for name, value in query.items() if value != ""}
    params = params_class(data=given)
    params.is_valid(raise_exception=True)
    return params.validated_data


def valid_uuid(value: str, field: str = "id") -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise serializers.ValidationError({field: ["Must be a valid UUID."]}) from None
