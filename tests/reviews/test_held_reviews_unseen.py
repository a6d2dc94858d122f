"""A review held by the burst rule is nobody's to read but the moderators' (issue 17, "Bad input")."""

import pytest

from tests.factories import ReviewFactory, TherapistFactory, UserFactory
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db

HELD_TITLE = "Held back from view"
HELD_BODY = "Part of a burst from new accounts, waiting for a moderator."


@pytest.fixture
def therapist():
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=4, title="Published four")
    # A one-star held review, and a verified five-star one: neither rating nor verification may show it.
    ReviewFactory(therapist=therapist, rating=1, title=HELD_TITLE, body=HELD_BODY, held=True)
    ReviewFactory(therapist=therapist, rating=5, title=HELD_TITLE, body=HELD_BODY, held=True, verified_visit=True)
    recompute_score(therapist_id=therapist.pk)
    return therapist


def assert_unseen(text: str) -> None:
    assert HELD_TITLE not in text
    assert HELD_BODY not in text


@pytest.mark.parametrize("query", ["", "?stars=1", "?stars=5", "?verified=1", "?sort=lowest", "?sort=highest&stars=5"])
@pytest.mark.parametrize("reader", ["visitor", "client", "owner"])
def test_the_profile_never_shows_a_held_review(client, therapist, query, reader):
    if reader == "client":
        client.force_login(UserFactory())
    elif reader == "owner":
        client.force_login(therapist.user)
    response = client.get(f"/therapists/{therapist.slug}/{query}")
    assert response.status_code == 200
    assert_unseen(response.content.decode())
    assert all(review.title != HELD_TITLE for review in response.context["reviews"])


def test_held_reviews_count_nowhere_on_the_profile(client, therapist):
    response = client.get(f"/therapists/{therapist.slug}/")
    bars = {bar["stars"]: bar["count"] for bar in response.context["distribution"]}
    assert bars == {5: 0, 4: 1, 3: 0, 2: 0, 1: 0}
    content = response.content.decode()
    assert "4.0★ from 1 review" in content
    assert response.context["reviews"].paginator.count == 1
    assert client.get(f"/therapists/{therapist.slug}/?verified=1").context["reviews"].paginator.count == 0


def test_the_api_never_shows_a_held_review(client, therapist):
    reviews = client.get(f"/api/v1/therapists/{therapist.slug}/reviews/").json()
    assert [review["title"] for review in reviews["results"]] == ["Published four"]
    detail = client.get(f"/api/v1/therapists/{therapist.slug}/")
    assert detail.json()["review_count"] == 1
    distribution = {row["stars"]: row["count"] for row in detail.json()["rating_distribution"]}
    assert distribution == {5: 0, 4: 1, 3: 0, 2: 0, 1: 0}
    listing = client.get("/api/v1/therapists/").json()
    assert [row["review_count"] for row in listing["results"] if row["slug"] == therapist.slug] == [1]
    for response in (detail, client.get(f"/api/v1/therapists/{therapist.slug}/reviews/")):
        assert_unseen(response.content.decode())


def test_the_json_ld_never_shows_a_held_review(client, therapist):
    content = client.get(f"/therapists/{therapist.slug}/").content.decode()
    head = content.split("</head>")[0]
    assert_unseen(head)
    assert '"reviewCount": 1' in head
