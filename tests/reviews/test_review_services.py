"""reviews.services: the rules hold even when a caller skips the form."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewFlag, ReviewReply
from tests.factories import ModalityFactory, ReviewFactory, TherapistFactory, UserFactory
from therapists.models import Therapist

pytestmark = pytest.mark.django_db


def answers(**overrides):
    values = {
        "rating": 4,
        "title": "Good",
        "body": "A careful consultation and the right pressure.",
        "visit_date": timezone.localdate() - timedelta(days=3),
        "consultation_given": True,
        "unwanted_effects": False,
        "aftercare_given": True,
    }
    return values | overrides


def test_publish_review_rescores_the_therapist():
    therapist = TherapistFactory()
    services.publish_review(therapist=therapist, author=UserFactory(), **answers(rating=3))
    services.publish_review(therapist=therapist, author=UserFactory(), **answers(rating=5))
    therapist.refresh_from_db()
    assert (therapist.review_count, therapist.rating_avg) == (2, 4.0)


def test_therapist_cannot_review_own_profile():
    therapist = TherapistFactory()
    with pytest.raises(ValidationError, match="your own profile"):
        services.publish_review(therapist=therapist, author=therapist.user, **answers())
    assert not Review.objects.exists()


def test_suspended_profile_cannot_be_reviewed():
    therapist = TherapistFactory(suspended=True)
    with pytest.raises(ValidationError, match="not published"):
        services.publish_review(therapist=therapist, author=UserFactory(), **answers())
    assert not Review.objects.exists()


def test_unconfirmed_email_cannot_review():
    with pytest.raises(ValidationError, match="confirm your email"):
        services.publish_review(therapist=TherapistFactory(), author=UserFactory(confirmed=False), **answers())
    assert not Review.objects.exists()


def test_modality_not_offered_is_refused():
    with pytest.raises(ValidationError, match="massage type"):
        services.publish_review(
            therapist=TherapistFactory(), author=UserFactory(), **answers(modality=ModalityFactory(slug="shiatsu"))
        )
    assert not Review.objects.exists()


def test_edit_after_thirty_days_is_refused_and_changes_nothing():
    review = ReviewFactory(rating=5, created_at=timezone.now() - timedelta(days=30, seconds=1))
    with pytest.raises(ValidationError, match="30 days"):
        services.publish_review(therapist=review.therapist, author=review.author, **answers(rating=1))
    review.refresh_from_db()
    assert review.rating == 5


def test_lost_insert_race_becomes_an_edit_of_the_winning_review(monkeypatch):
    """The unique constraint catches a double-clicked submit that slipped past the lookup."""
    winner = ReviewFactory(rating=5)
    monkeypatch.setattr(services, "_find_review", lambda **kwargs: None)
    review = services.publish_review(therapist=winner.therapist, author=winner.author, **answers(rating=2))
    assert review.pk == winner.pk
    assert Review.objects.count() == 1
    winner.refresh_from_db()
    assert winner.rating == 2 and winner.edited_at is not None
    therapist = Therapist.objects.get(pk=winner.therapist_id)
    assert (therapist.review_count, therapist.rating_avg) == (1, 2.0)


def test_withdraw_review_by_someone_else_is_refused():
    review = ReviewFactory()
    with pytest.raises(ValidationError):
        services.withdraw_review(review=review, user=UserFactory())
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_author_cannot_flag_own_review():
    review = ReviewFactory()
    with pytest.raises(ValidationError, match="your own review"):
        services.flag_review(review=review, user=review.author, reason=ReviewFlag.Reason.FAKE)
    assert not ReviewFlag.objects.exists()


def test_flag_with_other_reason_and_no_note_is_refused():
    with pytest.raises(ValidationError):
        services.flag_review(review=ReviewFactory(), user=UserFactory(), reason=ReviewFlag.Reason.OTHER, note=" ")
    assert not ReviewFlag.objects.exists()


def test_only_the_reviewed_therapist_can_reply():
    review = ReviewFactory()
    with pytest.raises(ValidationError):
        services.reply_to_review(review=review, user=TherapistFactory().user, body="Not mine to answer.")
    assert not ReviewReply.objects.exists()
