"""Invariants enforced by the database itself, not only by forms."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import Review, ReviewFlag
from tests.factories import CredentialFactory, ReviewFactory, ReviewFlagFactory, TherapistFactory, UserFactory
from therapists.models import Credential, Therapist

pytestmark = pytest.mark.django_db


def test_second_review_by_same_author_is_refused_by_database():
    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            therapist=review.therapist, author=review.author, rating=4, title="Again", body="x" * 30,
            visit_date=timezone.localdate(), consultation_given=True, unwanted_effects=False, aftercare_given=True,
        )
    assert Review.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_outside_one_to_five_is_refused_by_database(rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(rating=rating)
    assert Review.objects.count() == 0


def test_credential_expiring_before_it_was_issued_is_refused_by_database():
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        CredentialFactory(issued_on=today, expires_on=today - timedelta(days=1))
    assert Credential.objects.count() == 0


def test_second_flag_by_same_user_is_refused_by_database():
    flag = ReviewFlagFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFlag.objects.create(review=flag.review, user=flag.user, reason=ReviewFlag.Reason.FAKE)
    assert ReviewFlag.objects.count() == 1


def test_flag_with_reason_other_needs_a_note():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFlagFactory(reason=ReviewFlag.Reason.OTHER, note="")


def test_one_therapist_profile_per_user():
    user = UserFactory()
    TherapistFactory(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapistFactory(user=user)


@pytest.mark.parametrize(
    "fields",
    [{"latitude": 91}, {"longitude": -181}, {"practising_since": 198}, {"price_from": 100, "price_to": 50},
     {"status": "deleted"}],
)
def test_therapist_row_invariants(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapistFactory(**fields)
    assert Therapist.objects.count() == 0


def test_decision_log_is_append_only():
    from django.core.exceptions import ValidationError

    from moderation.models import Decision
    from tests.factories import DecisionFactory

    decision = DecisionFactory(reason="first")
    decision.reason = "rewritten"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    with pytest.raises(ValidationError):
        Decision.objects.all().update(reason="x")
    with pytest.raises(ValidationError):
        Decision.objects.all().delete()
    assert Decision.objects.get().reason == "first"
