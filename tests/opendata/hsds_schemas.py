"""The official HSDS 3.0 schemas, unchanged, as jsonschema validators (Draft 2020-12, formats checked).

They live beside the project: ../shared/hsds-3.0/ here, <clone>/../shared in CI. The tests skip,
saying why, only when that folder is absent.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS_DIR = Path(settings.BASE_DIR).parent / "shared" / "hsds-3.0"
SCHEMA_DIR = HSDS_DIR / "schema"


def require_schemas():
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"The official HSDS 3.0 schemas are not at {SCHEMA_DIR} (expected beside the project).")


@cache
def _registry() -> Registry:
    # The single-object schemas refer to each other by bare file name ("phone.json"); they carry
    # neither $id nor $schema, so each is registered under its file name as Draft 2020-12.
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in SCHEMA_DIR.glob("*.json")
        if path.name != "openapi.json"
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """validator("compiled/organization") or validator("taxonomy_term")."""
    require_schemas()
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(name: str, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator(name).iter_errors(instance)
    ]
