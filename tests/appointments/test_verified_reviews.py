"""From the invitation to the "Verified visit · <month year>" mark on the profile."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appointments.invitations import invitation_token
from reviews.models import Review
from tests.factories import AppointmentFactory, ReviewFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "insider": "False",
    "consultation_given": "True",
    "unwanted_effects": "False",
    "aftercare_given": "True",
    "rating": "5",
    "title": "Careful and kind",
    "body": "She asked about my back first, and the stretches help.",
}


def invited_url(appointment) -> str:
    return f"/therapists/{appointment.therapist.slug}/review/?invitation={invitation_token(appointment)}"


@pytest.fixture
def attended():
    return AppointmentFactory(attended=True, starts_at=timezone.now() - timedelta(days=3))


def test_the_invitation_fills_in_the_visit_and_ties_the_review_to_it(client, attended):
    client.force_login(attended.client)
    response = client.get(invited_url(attended))
    assert response.status_code == 200
    assert "your review will show “Verified visit”" in response.content.decode()
    # Date and massage type come from the appointment even if the form says otherwise.
    response = client.post(invited_url(attended), {**ANSWERS, "visit_date": "2020-01-01", "modality": "999"})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.appointment == attended
    assert (review.visit_date, review.modality) == (attended.local_starts_at.date(), attended.modality)
    attended.refresh_from_db()
    assert attended.invitation_used_at is not None


def test_the_profile_marks_verified_and_unverified_reviews(client, attended):
    ReviewFactory(therapist=attended.therapist, appointment=attended, visit_date=attended.starts_at.date())
    ReviewFactory(therapist=attended.therapist)
    text = client.get(attended.therapist.get_absolute_url()).content.decode()
    assert f"Verified visit · {attended.starts_at:%B %Y}" in text
    assert text.count("Not verified") == 1


def test_a_reused_invitation_is_refused_and_changes_nothing(client, attended):
    client.force_login(attended.client)
    url = invited_url(attended)
    client.post(url, ANSWERS)
    response = client.post(url, {**ANSWERS, "title": "Changed my mind"})
    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert Review.objects.get().title == "Careful and kind"


def test_a_tampered_invitation_is_refused(client, attended):
    client.force_login(attended.client)
    response = client.get(invited_url(attended)[:-3] + "abc")
    assert response.status_code == 403
    assert "not valid" in response.content.decode()


def test_an_expired_invitation_is_refused(client, attended):
    attended.invited_at = timezone.now() - timedelta(days=31)
    attended.save()
    client.force_login(attended.client)
    response = client.post(invited_url(attended), ANSWERS)
    assert response.status_code == 403
    assert "expired on" in response.content.decode()
    assert not Review.objects.exists()


def test_someone_elses_invitation_is_refused(client, attended):
    client.force_login(UserFactory())
    response = client.post(invited_url(attended), ANSWERS)
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_an_invitation_for_another_therapist_is_refused(client, attended):
    other = TherapistFactory()
    client.force_login(attended.client)
    url = f"/therapists/{other.slug}/review/?invitation={invitation_token(attended)}"
    response = client.post(url, ANSWERS)
    assert response.status_code == 403
    assert "another therapist" in response.content.decode()
    assert not Review.objects.exists()


def test_a_second_visit_updates_the_one_review_even_after_the_edit_window(client, attended):
    old = ReviewFactory(
        therapist=attended.therapist, author=attended.client, created_at=timezone.now() - timedelta(days=90)
    )
    client.force_login(attended.client)
    response = client.post(invited_url(attended), {**ANSWERS, "title": "Second visit, still great"})
    assert response.status_code == 302
    assert Review.objects.count() == 1
    old.refresh_from_db()
    assert (old.title, old.appointment) == ("Second visit, still great", attended)


def test_without_an_invitation_the_edit_window_still_holds(client, attended):
    ReviewFactory(therapist=attended.therapist, author=attended.client, created_at=timezone.now() - timedelta(days=90))
    client.force_login(attended.client)
    assert client.get(f"/therapists/{attended.therapist.slug}/review/").status_code == 403


def test_the_api_says_which_reviews_are_verified_visits(client, attended):
    ReviewFactory(therapist=attended.therapist, appointment=attended)
    body = client.get(f"/api/v1/therapists/{attended.therapist.slug}/reviews/").json()
    assert [review["verified_visit"] for review in body["results"]] == [True]
