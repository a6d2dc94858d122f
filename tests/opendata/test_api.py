"""The HSDS API under /api/hsds/: Page fields, filters as a cumulative AND, ids, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opendata.hsds import hsds_id
from tests.factories import CredentialFactory, ModalityFactory, NeedFactory, TherapistFactory
from therapists.models import Therapist

pytestmark = pytest.mark.django_db
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def organization_id(therapist):
    return hsds_id("organization", therapist.pk)


def service_id(therapist, modality):
    return hsds_id("service", therapist.pk, modality.pk)


def term_id(taxonomy, row):
    return hsds_id("taxonomy_term", taxonomy, row.pk)


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["contents"]}


def test_the_root_says_which_hsds_version_and_where_the_openapi_document_is(client):
    body = client.get("/api/hsds/").json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/v1/schema/?format=json")
    assert body["profile"].endswith("/open-data/")


def test_services_are_paginated_with_the_hsds_page_fields(client):
    swedish, thai = ModalityFactory(slug="swedish"), ModalityFactory(slug="thai")
    for _ in range(3):
        TherapistFactory(modalities=[swedish, thai])  # 6 services

    first = client.get("/api/hsds/services", {"per_page": 4}).json()
    last = client.get("/api/hsds/services", {"per_page": 4, "page": 2}).json()

    assert set(first) == PAGE_FIELDS
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (6, 2, 1, 4)
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    assert (last["size"], last["first_page"], last["last_page"]) == (2, False, True)
    assert not {s["id"] for s in first["contents"]} & {s["id"] for s in last["contents"]}


def test_a_page_past_the_last_is_empty_and_says_it_is_the_last(client):
    TherapistFactory()
    body = client.get("/api/hsds/services", {"page": 5}).json()
    assert (body["total_items"], body["size"], body["contents"], body["last_page"], body["empty"]) == (
        1,
        0,
        [],
        True,
        False,
    )


def test_an_empty_result_set_is_marked_empty(client):
    body = client.get("/api/hsds/services").json()
    assert (body["total_items"], body["total_pages"], body["empty"], body["contents"]) == (0, 0, True, [])


def test_only_published_practices_are_listed(client):
    shown = TherapistFactory()
    TherapistFactory(draft=True)
    TherapistFactory(suspended=True)
    assert ids(client.get("/api/hsds/organizations")) == {organization_id(shown)}
    assert len(ids(client.get("/api/hsds/services"))) == 1


@pytest.fixture
def grid():
    """Four practices that differ in one filter each, so every filter and every pair can be told apart."""
    swedish, thai = ModalityFactory(slug="swedish"), ModalityFactory(slug="thai")
    stress = NeedFactory(slug="stress-sleep")
    long_ago = timezone.now() - timedelta(days=30)
    therapists = {
        "thai-stress-old": TherapistFactory(display_name="Anna Lindqvist", modalities=[thai], needs=[stress]),
        "thai-new": TherapistFactory(display_name="Anna Okafor", modalities=[thai]),
        "swedish-stress-new": TherapistFactory(display_name="Boris Petrov", modalities=[swedish], needs=[stress]),
        "thai-stress-new": TherapistFactory(display_name="Carla Anna Diaz", modalities=[thai, swedish], needs=[stress]),
    }
    Therapist.objects.filter(pk=therapists["thai-stress-old"].pk).update(updated_at=long_ago)
    return therapists, {"swedish": swedish, "thai": thai, "stress": stress}, long_ago


def test_a_massage_type_term_selects_exactly_those_services(client, grid):
    therapists, terms, _ = grid
    found = ids(client.get("/api/hsds/services", {"taxonomy_term_id": term_id("modality", terms["thai"])}))
    assert found == {service_id(t, terms["thai"]) for key, t in therapists.items() if key.startswith("thai")}


def test_filters_combine_as_a_cumulative_and(client, grid):
    therapists, terms, long_ago = grid
    query = {
        "taxonomy_term_id": term_id("need", terms["stress"]),  # excludes thai-new
        "modified_after": (long_ago + timedelta(days=1)).isoformat(),  # excludes thai-stress-old
        "search": "Anna",  # excludes Boris
    }
    found = ids(client.get("/api/hsds/services", query))
    carla = therapists["thai-stress-new"]
    assert found == {service_id(carla, terms["thai"]), service_id(carla, terms["swedish"])}
    # And with the practice's id too: still those two; with another practice's id, none.
    assert ids(client.get("/api/hsds/services", {**query, "organization_id": organization_id(carla)})) == found
    other = organization_id(therapists["thai-new"])
    client.get("/api/hsds/organizations")  # published once, so the id is known
    assert ids(client.get("/api/hsds/services", {**query, "organization_id": other})) == set()


def test_modified_after_counts_a_credential_decision_as_a_change(client, grid):
    therapists, _, long_ago = grid
    old = therapists["thai-stress-old"]
    since = (long_ago + timedelta(days=1)).isoformat()
    assert organization_id(old) not in {
        s["organization_id"] for s in client.get("/api/hsds/services", {"modified_after": since}).json()["contents"]
    }
    CredentialFactory(therapist=old, verified=True)
    Therapist.objects.filter(pk=old.pk).update(updated_at=long_ago)  # the profile row itself unchanged
    changed = client.get("/api/hsds/services", {"modified_after": since, "per_page": 100}).json()["contents"]
    assert organization_id(old) in {s["organization_id"] for s in changed}


def test_the_taxonomy_filter_keeps_services_of_practices_with_a_need(client, grid):
    therapists, _, _ = grid
    need_taxonomy = hsds_id("taxonomy", "need")
    found = client.get("/api/hsds/services", {"taxonomy_id": need_taxonomy, "per_page": 100}).json()["contents"]
    assert {s["organization_id"] for s in found} == {
        organization_id(t) for key, t in therapists.items() if "stress" in key
    }


def test_service_at_locations_take_the_same_filters(client, grid):
    therapists, terms, _ = grid
    body = client.get(
        "/api/hsds/service_at_locations", {"taxonomy_term_id": term_id("modality", terms["swedish"])}
    ).json()
    assert {item["service_id"] for item in body["contents"]} == {
        service_id(therapists["swedish-stress-new"], terms["swedish"]),
        service_id(therapists["thai-stress-new"], terms["swedish"]),
    }


def test_taxonomy_terms_filter_by_taxonomy_and_search(client):
    body = client.get("/api/hsds/taxonomy_terms", {"taxonomy_id": hsds_id("taxonomy", "need"), "per_page": 100}).json()
    assert body["total_items"] == 8  # the needs of the reference data migration
    assert all(term["taxonomy_id"] == hsds_id("taxonomy", "need") for term in body["contents"])
    found = client.get("/api/hsds/taxonomy_terms", {"search": "shiatsu"}).json()["contents"]
    assert [term["code"] for term in found] == ["shiatsu"]


def test_a_service_detail_is_found_by_the_id_the_list_gave(client):
    therapist = TherapistFactory(modalities=[ModalityFactory(slug="thai")])
    listed = client.get("/api/hsds/services").json()["contents"][0]
    detail = client.get(f"/api/hsds/services/{listed['id']}").json()
    assert detail["id"] == listed["id"]
    assert detail["organization"]["id"] == organization_id(therapist)
    assert detail["service_at_locations"][0]["location"]["latitude"] == therapist.latitude


def test_a_suspended_practice_s_service_is_gone_even_by_its_known_id(client):
    therapist = TherapistFactory()
    known = client.get("/api/hsds/services").json()["contents"][0]["id"]
    Therapist.objects.filter(pk=therapist.pk).update(status=Therapist.Status.SUSPENDED)
    assert client.get(f"/api/hsds/services/{known}").status_code == 404
    assert client.get(f"/api/hsds/organizations/{organization_id(therapist)}").status_code == 404


def test_a_service_the_practice_no_longer_offers_is_gone(client):
    thai = ModalityFactory(slug="thai")
    therapist = TherapistFactory(modalities=[thai, ModalityFactory(slug="swedish")])
    client.get("/api/hsds/services")
    therapist.modalities.remove(thai)
    assert client.get(f"/api/hsds/services/{service_id(therapist, thai)}").status_code == 404


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/hsds/services", {"page": "0"}, "page"),
        ("/api/hsds/services", {"page": "-3"}, "page"),
        ("/api/hsds/services", {"page": "two"}, "page"),
        ("/api/hsds/services", {"page": "9" * 30}, "page"),
        ("/api/hsds/services", {"per_page": "100000"}, "per_page"),
        ("/api/hsds/services", {"per_page": "0"}, "per_page"),
        ("/api/hsds/services", {"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ("/api/hsds/services", {"taxonomy_term_id": "2b0a1c7e-0000-4000-8000-000000000000"}, "taxonomy_term_id"),
        ("/api/hsds/services", {"taxonomy_id": "2b0a1c7e-0000-4000-8000-000000000000"}, "taxonomy_id"),
        ("/api/hsds/services", {"organization_id": "2b0a1c7e-0000-4000-8000-000000000000"}, "organization_id"),
        ("/api/hsds/services", {"modified_after": "yesterday"}, "modified_after"),
        ("/api/hsds/services", {"search": "a\x00b"}, "search"),
        ("/api/hsds/services", {"search": "x" * 101}, "search"),
        ("/api/hsds/service_at_locations", {"per_page": "101"}, "per_page"),
        ("/api/hsds/organizations", {"page": "0"}, "page"),
        ("/api/hsds/taxonomy_terms", {"taxonomy_id": "nope"}, "taxonomy_id"),
        ("/api/hsds/services/not-a-uuid", {}, "id"),
        ("/api/hsds/organizations/12345", {}, "id"),
        ("/api/hsds/taxonomy_terms/x", {}, "id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, path, query, field):
    TherapistFactory()
    response = client.get(path, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field]


def test_an_empty_parameter_is_no_filter(client):
    TherapistFactory()
    body = client.get("/api/hsds/services", {"page": "", "per_page": "", "search": "", "taxonomy_term_id": ""}).json()
    assert (body["page_number"], body["total_items"]) == (1, 1)


@pytest.mark.parametrize(
    "path",
    [
        "/api/hsds/services/",
        "/api/hsds/organizations/",
        "/api/hsds/service_at_locations/",
        "/api/hsds/taxonomies/",
        "/api/hsds/taxonomy_terms/",
    ],
)
def test_a_well_formed_id_we_never_published_is_a_json_404(client, path):
    response = client.get(path + "2b0a1c7e-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_of_services_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    modalities = [ModalityFactory(slug=f"m{n}") for n in range(3)]
    for _ in range(12):
        TherapistFactory(modalities=modalities, needs=[NeedFactory(slug="skin")])
    # count, page, vocabulary (3), listings (6), recording the ids (1)
    with django_assert_max_num_queries(12):
        response = client.get("/api/hsds/services", {"per_page": 30})
    assert response.json()["size"] == 30


def test_answers_are_cached_and_dropped_when_a_listing_changes(client, django_capture_on_commit_callbacks):
    from moderation import services as moderation
    from tests.factories import UserFactory

    therapist = TherapistFactory()
    assert client.get("/api/hsds/organizations").json()["total_items"] == 1
    Therapist.objects.filter(pk=therapist.pk).update(display_name="Changed behind the cache")
    assert client.get("/api/hsds/organizations").json()["contents"][0]["name"] != "Changed behind the cache"
    with django_capture_on_commit_callbacks(execute=True):
        moderation.suspend_therapist(therapist=therapist, moderator=UserFactory(moderator=True), reason="Fake profile")
    assert client.get("/api/hsds/organizations").json()["total_items"] == 0


def test_the_hsds_api_is_throttled_like_our_own(client):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    try:
        statuses = [client.get("/api/hsds/services", {"page": n}).status_code for n in (1, 2, 3)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 429]


def test_the_openapi_document_describes_the_hsds_endpoints(client):
    document = client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/services/{id}",
        "/api/hsds/organizations/{id}",
        "/api/hsds/service_at_locations",
        "/api/hsds/taxonomies",
        "/api/hsds/taxonomy_terms/{id}",
    ):
        assert path in document["paths"], path
    parameters = {p["name"]: p for p in document["paths"]["/api/hsds/services"]["get"]["parameters"]}
    assert {"page", "per_page", "search", "taxonomy_term_id", "organization_id", "modified_after"} <= set(parameters)
    assert parameters["per_page"]["schema"]["maximum"] == 100


def test_ids_are_exactly_uuid5_under_our_namespace():
    import uuid

    from opendata.hsds import NAMESPACE

    for kind, keys in [("organization", (1,)), ("service", (12, 3)), ("taxonomy_term", ("need", 4))]:
        name = ":".join([kind, *map(str, keys)])
        assert hsds_id(kind, *keys) == str(uuid.uuid5(NAMESPACE, name))
