"""JSON Schemas of the HSDS answers, for our OpenAPI document (Schemathesis checks answers against it).

A summary of the official schemas (the fields every object of the kind carries), not a copy:
HSDS objects allow more properties, and ../shared/hsds-3.0/schema/ stays the judge (tests/opendata).
"""

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}

ORGANIZATION = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": UUID, "name": TEXT, "description": TEXT, "email": TEXT, "website": TEXT, "uri": TEXT},
}
LOCATION = {
    "type": "object",
    "required": ["id", "location_type"],
    "properties": {
        "id": UUID,
        "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
    },
}
SERVICE = {
    "type": "object",
    "required": ["id", "name", "status"],
    "properties": {
        "id": UUID,
        "organization_id": UUID,
        "name": TEXT,
        "description": TEXT,
        "status": {"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
        "accreditations": TEXT,
        "assured_date": {"type": "string", "format": "date"},
        "last_modified": {"type": "string", "format": "date-time"},
        "organization": ORGANIZATION,
    },
}
SERVICE_AT_LOCATION = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": UUID, "service_id": UUID, "location_id": UUID, "location": LOCATION, "service": SERVICE},
}
TAXONOMY = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": UUID, "name": TEXT, "description": TEXT, "uri": TEXT, "version": TEXT},
}
TAXONOMY_TERM = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": UUID, "code": TEXT, "name": TEXT, "description": TEXT, "taxonomy_id": UUID, "term_uri": TEXT},
}
ROOT = {
    "type": "object",
    "required": ["version", "profile", "openapi_url"],
    "properties": {"version": TEXT, "profile": {"type": "string", "format": "uri"}, "openapi_url": TEXT},
}
NOT_FOUND = {"type": "object", "required": ["detail"], "properties": {"detail": TEXT}}

PAGE_FIELDS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"]


def page_of(item: dict) -> dict:
    """The HSDS `Page` (schema/openapi.json, components/schemas/Page) with `contents` of `item`."""
    return {
        "type": "object",
        "required": [*PAGE_FIELDS, "contents"],
        "properties": {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 0},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": item},
        },
    }
