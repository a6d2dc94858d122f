"""The read-only JSON API under /api/v1/."""

import re

import pytest

from tests.factories import CredentialFactory, ModalityFactory, ReviewFactory, ReviewReplyFactory, TherapistFactory
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "slug", "url", "display_name", "headline", "city", "country", "latitude", "longitude", "distance_km",
    "modalities", "needs", "languages", "years_of_experience", "accepts_new_clients", "price_from",
    "has_verified_licence", "score", "rating_avg", "rating_weighted", "review_count",
}  # fmt: skip


def test_list_is_paginated_and_carries_the_contract_fields(client):
    TherapistFactory(modalities=[ModalityFactory(slug="thai")])
    response = client.get("/api/v1/therapists/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    result = body["results"][0]
    assert set(result) >= LIST_FIELDS
    assert result["modalities"] == ["thai"]
    assert result["distance_km"] is None


def test_list_only_shows_published_therapists(client):
    TherapistFactory(draft=True)
    TherapistFactory(suspended=True)
    assert client.get("/api/v1/therapists/").json()["count"] == 0


def test_list_applies_the_same_filters_and_distance_sort_as_the_page(client):
    TherapistFactory(slug="far", city="Potsdam", latitude=52.3906, longitude=13.0645, score=90)
    TherapistFactory(slug="near", city="Berlin", latitude=52.52, longitude=13.405, score=10)
    TherapistFactory(slug="munich", city="Munich", latitude=48.137, longitude=11.575)
    body = client.get("/api/v1/therapists/?city=Berlin&radius_km=50&sort=distance").json()
    assert [result["slug"] for result in body["results"]] == ["near", "far"]
    assert body["results"][0]["distance_km"] < 2
    assert 26 < body["results"][1]["distance_km"] < 28


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_rating=abc", "min_rating"),
        ("radius_km=-5&city=Berlin", "radius_km"),
        ("lat=999&lon=0", "lat"),
        ("sort=cheapest", "sort"),
        ("city=Qwertzuiop", "city"),
        ("sort=distance", "sort"),
    ],
)
def test_bad_parameter_answers_400_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/therapists/?{query}")
    assert response.status_code == 400
    assert isinstance(response.json()[field][0], str)


def test_page_zero_answers_404_not_500(client):
    assert client.get("/api/v1/therapists/?page=0").status_code == 404


def test_detail_has_score_breakdown_credentials_and_distribution(client):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True)
    CredentialFactory(therapist=therapist, rejected=True, title="Rejected one")
    ReviewFactory(therapist=therapist, rating=4)
    recompute_score(therapist_id=therapist.pk)
    body = client.get(f"/api/v1/therapists/{therapist.slug}/").json()
    assert body["score"] == therapist.__class__.objects.get(pk=therapist.pk).score
    assert body["score_breakdown"][0] == {
        "key": "licence",
        "label": "Verified licence",
        "points": 20.0,
        "max": 20,
        "explanation": "Licence verified by a moderator",
        "provisional": False,
    }
    assert [credential["status"] for credential in body["credentials"]] == ["verified"]
    assert "document" not in body["credentials"][0]
    assert {"stars": 4, "count": 1} in body["rating_distribution"]


@pytest.mark.parametrize("trait", ["draft", "suspended"])
def test_detail_of_unpublished_therapist_answers_404(client, trait):
    therapist = TherapistFactory(**{trait: True})
    assert client.get(f"/api/v1/therapists/{therapist.slug}/").status_code == 404
    assert client.get(f"/api/v1/therapists/{therapist.slug}/reviews/").status_code == 404


def test_reviews_are_published_only_newest_first_with_replies(client):
    therapist = TherapistFactory()
    older = ReviewFactory(therapist=therapist, title="Older")
    ReviewFactory(therapist=therapist, title="Hidden", hidden=True)
    newer = ReviewFactory(therapist=therapist, title="Newer")
    ReviewReplyFactory(review=older, body="Thank you")
    body = client.get(f"/api/v1/therapists/{therapist.slug}/reviews/").json()
    assert [review["id"] for review in body["results"]] == [newer.pk, older.pk]
    assert body["results"][1]["reply"]["body"] == "Thank you"
    assert body["results"][0]["reply"] is None


def test_api_is_read_only(client):
    therapist = TherapistFactory()
    assert client.post("/api/v1/therapists/", {}).status_code == 405
    assert client.delete(f"/api/v1/therapists/{therapist.slug}/").status_code == 405


def test_schema_is_served(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/therapists/{slug}/reviews/" in response.content


def test_every_operation_documents_the_servers_414(client):
    """gunicorn refuses a request line over 4,094 bytes itself; Schemathesis's fuzzer sends them."""
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    operations = [operation for methods in paths.values() for operation in methods.values()]
    assert operations
    assert all("414" in operation["responses"] for operation in operations)


def test_opening_hours_match_their_schema(client):
    """Local wall-clock times ("09:00") are not OpenAPI's `format: time` (RFC 3339, "09:00:00Z")."""
    therapist = TherapistFactory(opening_hours=[(0, "9:00", "17:30")])
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]["OpeningHours"]
    [hours] = client.get(f"/api/v1/therapists/{therapist.slug}/").json()["opening_hours"]

    assert (hours["opens_at"], hours["closes_at"]) == ("09:00", "17:30")
    for field in ("opens_at", "closes_at"):
        assert "format" not in schema["properties"][field]
        assert re.fullmatch(schema["properties"][field]["pattern"], hours[field])


@pytest.mark.parametrize("count", [1, 25])
def test_list_query_count_does_not_grow_with_results(client, django_assert_max_num_queries, count):
    modalities = [ModalityFactory(slug=f"m{n}") for n in range(3)]
    for _ in range(count):
        TherapistFactory(modalities=modalities, opening_hours=[(0, "9:00", "17:00")])
    # The opening hours are one prefetch query for the whole page.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/therapists/?modality=m1&city=Berlin&sort=distance")
    assert len(response.json()["results"]) == min(count, 20)


def test_list_is_throttled(client, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    try:
        statuses = [client.get("/api/v1/therapists/").status_code for _ in range(3)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 429]


def test_each_review_says_whether_it_is_a_verified_visit_and_a_hidden_reply_is_null(client):
    therapist = TherapistFactory()
    verified = ReviewFactory(therapist=therapist, title="Booked here", verified_visit=True)
    walked_in = ReviewFactory(therapist=therapist, title="Walked in")
    ReviewReplyFactory(review=verified, body="Shown")
    ReviewReplyFactory(
        review=walked_in, body="Hidden words", status="hidden", hidden_reason="x", removed_at=verified.created_at
    )
    response = client.get(f"/api/v1/therapists/{therapist.slug}/reviews/")
    rows = {row["title"]: row for row in response.json()["results"]}
    assert (rows["Booked here"]["verified_visit"], rows["Walked in"]["verified_visit"]) == (True, False)
    assert rows["Booked here"]["reply"]["body"] == "Shown"
    assert rows["Walked in"]["reply"] is None
    assert b"Hidden words" not in response.content


def test_the_schema_documents_verified_visit_and_a_nullable_reply(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi").content)
    review = schema["components"]["schemas"]["Review"]
    assert review["properties"]["verified_visit"] == {"type": "boolean", "readOnly": True}
    assert "verified_visit" in review["required"]
    assert review["properties"]["reply"].get("nullable") is True or "oneOf" in review["properties"]["reply"]
