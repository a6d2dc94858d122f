"""Everything the HSDS API and the export produce validates against the official schemas, unchanged."""

import json

import pytest

from opendata.export import write_export
from tests.opendata.hsds_schemas import errors, require_schemas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _schemas_present():
    require_schemas()


def all_pages(client, path: str) -> list[dict]:
    contents, page = [], 1
    while True:
        body = client.get(path, {"page": page, "per_page": 100}).json()
        contents += body["contents"]
        if body["last_page"] or not body["contents"]:
            return contents
        page += 1


@pytest.fixture
def exported(seeded, tmp_path):
    write_export(tmp_path / "export")
    return {
        name: json.loads((tmp_path / "export" / f"{name}.json").read_text())
        for name in ("organizations", "taxonomies", "taxonomy_terms")
    }


def test_every_exported_organization_validates_against_the_compiled_and_the_single_schemas(exported):
    assert len(exported["organizations"]) > 20
    for organization in exported["organizations"]:
        assert errors("compiled/organization", organization) == []
        assert errors("organization", organization) == []


def test_every_exported_service_location_and_phone_validates_against_its_own_schema(exported):
    for organization in exported["organizations"]:
        for service in organization["services"]:
            assert errors("service", service) == []
        for location in organization["locations"]:
            assert errors("location", location) == []
        for phone in organization["phones"]:
            assert errors("phone", phone) == []


def test_exported_taxonomies_and_terms_validate(exported):
    assert len(exported["taxonomies"]) == 2
    for taxonomy in exported["taxonomies"]:
        assert errors("taxonomy", taxonomy) == []
    for term in exported["taxonomy_terms"]:
        assert errors("taxonomy_term", term) == []


def test_every_api_list_item_and_detail_validates(client, seeded):
    services = all_pages(client, "/api/hsds/services")
    assert services
    for item in services:
        assert errors("compiled/service_list", item) == []
        detail = client.get(f"/api/hsds/services/{item['id']}").json()
        assert errors("compiled/service", detail) == []
        assert errors("service", detail) == []
    for item in all_pages(client, "/api/hsds/organizations"):
        assert errors("compiled/organization_list", item) == []
        assert errors("compiled/organization", client.get(f"/api/hsds/organizations/{item['id']}").json()) == []
    for item in all_pages(client, "/api/hsds/service_at_locations"):
        assert errors("compiled/service_at_location_list", item) == []
        detail = client.get(f"/api/hsds/service_at_locations/{item['id']}").json()
        assert errors("compiled/service_at_location", detail) == []
    for item in all_pages(client, "/api/hsds/taxonomies"):
        assert errors("taxonomy", item) == []
        assert errors("taxonomy", client.get(f"/api/hsds/taxonomies/{item['id']}").json()) == []
    for item in all_pages(client, "/api/hsds/taxonomy_terms"):
        assert errors("taxonomy_term", item) == []
        assert errors("taxonomy_term", client.get(f"/api/hsds/taxonomy_terms/{item['id']}").json()) == []


@pytest.mark.parametrize(
    ("schema", "break_it", "reason"),
    [
        ("compiled/organization", lambda o: o.pop("name"), "'name' is a required property"),
        ("compiled/organization", lambda o: o["services"][0].pop("status"), "'status' is a required property"),
        ("compiled/organization", lambda o: o["phones"][0].pop("number"), "'number' is a required property"),
        ("compiled/organization", lambda o: o.update(id="practice-7"), "is not a 'uuid'"),
        ("organization", lambda o: o["locations"][0].pop("location_type"), "'location_type' is a required property"),
    ],
)
def test_a_deliberately_broken_object_fails_the_same_check(exported, schema, break_it, reason):
    organization = next(o for o in exported["organizations"] if o["phones"] and o["services"])
    assert errors(schema, organization) == []
    break_it(organization)
    found = errors(schema, organization)
    assert any(reason in error for error in found), found
