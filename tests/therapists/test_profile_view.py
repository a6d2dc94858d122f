"""The public profile at /therapists/<slug>/."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    CredentialFactory,
    ModalityFactory,
    NeedFactory,
    ReviewFactory,
    ReviewReplyFactory,
    TherapistFactory,
    UserFactory,
)
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


def profile(client, therapist, query=""):
    return client.get(f"/therapists/{therapist.slug}/{query}")


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "no JSON-LD script"
    return json.loads(match.group(1))


@pytest.mark.parametrize("trait", ["draft", "suspended"])
def test_unpublished_profile_answers_404(client, trait):
    therapist = TherapistFactory(**{trait: True})
    assert profile(client, therapist).status_code == 404


def test_profile_shows_score_breakdown_in_words(client):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True)
    recompute_score(therapist_id=therapist.pk)
    content = profile(client, therapist).content.decode()
    assert "Verified licence" in content
    assert "20 / 20" in content
    assert "Licence verified by a moderator" in content


def test_profile_shows_modalities_needs_and_initials_without_photo(client):
    therapist = TherapistFactory(
        display_name="Clara Weber",
        modalities=[ModalityFactory(slug="thai", name="Thai massage")],
        needs=[NeedFactory(slug="stress-sleep", name="Stress and sleep")],
    )
    content = profile(client, therapist).content.decode()
    assert "Thai massage" in content
    assert "Stress and sleep" in content
    assert ">CW<" in content


def test_credentials_show_their_honest_status_and_never_the_document(client):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True, title="Current licence")
    CredentialFactory(therapist=therapist, title="Waiting certificate", certificate=True)
    CredentialFactory(therapist=therapist, expired=True, title="Old licence")
    CredentialFactory(therapist=therapist, rejected=True, title="Forged licence")
    past_expiry = CredentialFactory(therapist=therapist, verified=True, title="Lapsed certificate", certificate=True)
    past_expiry.expires_on = timezone.localdate() - timedelta(days=3)
    past_expiry.issued_on = past_expiry.expires_on - timedelta(days=300)
    past_expiry.save()
    content = profile(client, therapist).content.decode()
    assert "Current licence" in content
    assert "Verified by a moderator" in content
    # Pending is only the therapist's claim: not shown to the public (see the test below for who sees it).
    assert "Waiting certificate" not in content and "Not checked yet" not in content
    assert content.count("Expired") == 2
    assert "Forged licence" not in content
    assert "licence.pdf" not in content
    assert "/private" not in content


@pytest.mark.parametrize(
    ("role", "sees_pending"),
    [("anonymous", False), ("client", False), ("other_therapist", False), ("owner", True), ("moderator", True)],
)
def test_pending_credentials_are_shown_to_the_owner_and_moderators_only(client, login_as, role, sees_pending):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, title="Waiting certificate", certificate=True)
    CredentialFactory(therapist=therapist, verified=True, title="Current licence")
    login_as(client, role, owner=therapist)

    content = profile(client, therapist).content.decode()
    api = client.get(f"/api/v1/therapists/{therapist.slug}/").json()

    assert "Current licence" in content
    assert ("Waiting certificate" in content) is sees_pending
    assert ("Not checked yet" in content) is sees_pending
    # The API is public: never a pending credential, whoever asks.
    assert [credential["title"] for credential in api["credentials"]] == ["Current licence"]


def test_reviews_are_paginated_newest_first_with_replies(client):
    therapist = TherapistFactory()
    now = timezone.now()
    for days in range(12):
        ReviewFactory(therapist=therapist, title=f"Review {days} days old", created_at=now - timedelta(days=days))
    newest = therapist.reviews.get(title="Review 0 days old")
    ReviewReplyFactory(review=newest, body="Thanks for coming!")
    first_page = profile(client, therapist)
    titles = [review.title for review in first_page.context["reviews"]]
    assert titles == [f"Review {days} days old" for days in range(10)]
    assert "Thanks for coming!" in first_page.content.decode()
    second_page = profile(client, therapist, "?page=2")
    assert [review.title for review in second_page.context["reviews"]] == ["Review 10 days old", "Review 11 days old"]


def test_hidden_reviews_are_not_shown(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, hidden=True, title="Hidden words")
    assert "Hidden words" not in profile(client, therapist).content.decode()


def test_review_card_shows_answers_visit_month_and_edited_mark(client):
    therapist = TherapistFactory()
    ReviewFactory(
        therapist=therapist,
        consultation_given=True,
        unwanted_effects=True,
        aftercare_given=False,
        visit_date=timezone.localdate().replace(day=1),
        edited_at=timezone.now(),
        modality=ModalityFactory(slug="thai", name="Thai massage"),
    )
    content = profile(client, therapist).content.decode()
    assert "Consultation first: yes" in content
    assert "Bruising or lasting pain: yes" in content
    assert "Aftercare advice: no" in content
    assert timezone.localdate().strftime("%B %Y") in content
    assert ">edited<" in content


def test_rating_distribution_is_drawn_for_each_star(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=5)
    ReviewFactory(therapist=therapist, rating=5)
    ReviewFactory(therapist=therapist, rating=2)
    response = profile(client, therapist)
    bars = {bar["stars"]: (bar["count"], bar["percent"]) for bar in response.context["distribution"]}
    assert bars == {5: (2, 67), 4: (0, 0), 3: (0, 0), 2: (1, 33), 1: (0, 0)}
    assert 'value="67"' in response.content.decode()


def test_safety_box_lists_contraindications(client):
    content = profile(client, TherapistFactory()).content.decode()
    assert "Before you book" in content
    for condition in ("tumours, cysts or metastases in the spine", "skin condition", "abscesses", "acute flare-up"):
        assert condition in content


def test_bio_is_escaped(client):
    therapist = TherapistFactory(bio="<script>alert(1)</script>\nSecond line")
    content = profile(client, therapist).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in content


def test_json_ld_is_valid_json_with_aggregate_rating_and_reviews(client):
    therapist = TherapistFactory(display_name="Clara Weber")
    ReviewFactory(therapist=therapist, rating=4, author=UserFactory(name="Anna"), verified_visit=True)
    recompute_score(therapist_id=therapist.pk)
    data = json_ld(profile(client, therapist))
    assert data["@type"] == "HealthAndBeautyBusiness"
    assert data["name"] == "Clara Weber"
    assert data["aggregateRating"]["ratingValue"] == 4.0
    assert data["aggregateRating"]["reviewCount"] == 1
    assert data["review"][0]["author"]["name"] == "Anna"


def test_json_ld_cannot_be_broken_out_of_by_user_text(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, body="</script><script>alert(1)</script> & more", verified_visit=True)
    recompute_score(therapist_id=therapist.pk)
    response = profile(client, therapist)
    assert "</script><script>alert(1)" not in response.content.decode()
    assert json_ld(response)["review"][0]["reviewBody"] == "</script><script>alert(1)</script> & more"


@pytest.mark.parametrize("count", [1, 15])
def test_profile_query_count_does_not_grow_with_reviews_and_credentials(client, django_assert_max_num_queries, count):
    therapist = TherapistFactory(modalities=[ModalityFactory(slug="a"), ModalityFactory(slug="b")])
    for _ in range(count):
        review = ReviewFactory(therapist=therapist, modality=ModalityFactory(slug="a"))
        ReviewReplyFactory(review=review)
        CredentialFactory(therapist=therapist, verified=True, certificate=True)
    with django_assert_max_num_queries(8):
        response = profile(client, therapist)
    assert len(response.context["reviews"]) == min(count, 10)


def test_a_review_is_signed_with_first_name_and_initial_never_the_full_name(client):
    review = ReviewFactory(author=UserFactory(name="Anna Kowalski"), verified_visit=True)
    recompute_score(therapist_id=review.therapist_id)
    response = profile(client, review.therapist)
    content = response.content.decode()
    assert "Anna K. · visited" in content
    assert "Kowalski" not in content
    assert json_ld(response)["review"][0]["author"]["name"] == "Anna K."
