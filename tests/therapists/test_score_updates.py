"""The stored score follows reviews and credentials: incrementally, set-wise, and they agree."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from moderation.services import expire_credentials
from reviews.models import Review
from tests.factories import CredentialFactory, ReviewFactory, TherapistFactory
from therapists.models import Credential, Therapist
from therapists.scores import recompute_score, recompute_scores

pytestmark = pytest.mark.django_db


def test_recompute_score_counts_only_published_reviews():
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=5)
    ReviewFactory(therapist=therapist, rating=3)
    ReviewFactory(therapist=therapist, rating=1, hidden=True)
    therapist = recompute_score(therapist_id=therapist.pk)
    assert therapist.review_count == 2
    assert therapist.rating_avg == 4.0
    # Two reviews without a visit weigh 0.5 each: n = 1.0, "yes" = 0.5 * 1 + 0.5 * 0.5 = 0.75.
    # Wilson lower bound, z = 1.645: (0.75 + 1.353 - 1.645 * sqrt(0.1875 + 0.6765)) / 3.706 = 0.1549,
    # so 1 + 4 * 0.1549 = 1.62 stars.
    assert therapist.rating_weighted == pytest.approx(1.62, abs=0.002)


def test_hidden_review_lowers_review_count_and_changes_score_immediately():
    therapist = TherapistFactory()
    reviews = [ReviewFactory(therapist=therapist) for _ in range(3)]
    before = recompute_score(therapist_id=therapist.pk)
    Review.objects.filter(pk=reviews[0].pk).update(status=Review.Status.HIDDEN, removed_at=timezone.now())
    after = recompute_score(therapist_id=therapist.pk)
    assert (before.review_count, after.review_count) == (3, 2)
    assert after.score < before.score


@pytest.mark.parametrize("status", ["pending", "rejected", "expired", "withdrawn"])
def test_verified_licence_outranks_licence_that_is_not_current(status):
    verified = TherapistFactory()
    other = TherapistFactory()
    CredentialFactory(therapist=verified, verified=True)
    CredentialFactory(therapist=other, status=status)
    recompute_scores()
    verified.refresh_from_db()
    other.refresh_from_db()
    assert verified.has_verified_licence and not other.has_verified_licence
    # At least the licence's 20 points; more where the verified licence also proves years that an
    # unverified one leaves self-declared (an expired licence still proves them).
    assert verified.score >= other.score + 20
    assert list(Therapist.objects.published().ranked()) == [verified, other]


def test_verified_licence_past_its_expiry_date_counts_for_nothing():
    therapist = TherapistFactory()
    CredentialFactory(
        therapist=therapist, verified=True,
        issued_on=timezone.localdate() - timedelta(days=800),
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    assert recompute_score(therapist_id=therapist.pk).has_verified_licence is False


def test_expire_credentials_removes_the_points_and_logs_the_decision():
    from moderation.models import Decision

    # Experience already saturated by verified years (an expired licence still proves them), so
    # the year that passes changes nothing but the licence.
    therapist = TherapistFactory(practising_since=timezone.localdate().year - 30)
    credential = CredentialFactory(
        therapist=therapist, verified=True, issued_on=timezone.localdate() - timedelta(days=25 * 365)
    )
    before = recompute_score(therapist_id=therapist.pk).score
    tomorrow_plus_a_year = timezone.localdate() + timedelta(days=366)

    assert expire_credentials(today=tomorrow_plus_a_year) == 1

    credential.refresh_from_db()
    therapist.refresh_from_db()
    assert credential.status == Credential.Status.EXPIRED
    assert therapist.score == before - 20
    decision = Decision.objects.get()
    assert decision.action == Decision.Action.EXPIRE_CREDENTIAL and decision.actor is None
    assert (decision.before, decision.after) == ({"status": "verified"}, {"status": "expired"})
    assert expire_credentials(today=tomorrow_plus_a_year) == 0


def test_recompute_scores_reports_changes_and_then_none():
    therapists = TherapistFactory.create_batch(3)
    ReviewFactory(therapist=therapists[0])
    Therapist.objects.update(score=0)  # the factories store consistent scores: drift them all
    assert recompute_scores(batch_size=2) == 3
    assert recompute_scores(batch_size=2) == 0


def test_recompute_scores_command_repairs_drifted_fields(capsys):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist)
    recompute_score(therapist_id=therapist.pk)
    Therapist.objects.filter(pk=therapist.pk).update(review_count=99, score=1)
    call_command("recompute_scores")
    therapist.refresh_from_db()
    assert therapist.review_count == 1
    assert "1 scores changed" in capsys.readouterr().out


def test_incremental_and_bulk_paths_agree_after_random_operations():
    rng = random.Random(7)
    therapists = TherapistFactory.create_batch(6)
    reviews = []
    for _ in range(60):
        therapist = rng.choice(therapists)
        action = rng.choice(["review", "review", "hide", "restore", "credential", "verify"])
        if action == "review":
            reviews.append(ReviewFactory(
                therapist=therapist, rating=rng.randint(1, 5), consultation_given=rng.random() < 0.6,
                unwanted_effects=rng.random() < 0.3, aftercare_given=rng.random() < 0.5,
            ))
        elif action in {"hide", "restore"} and reviews:
            review = rng.choice(reviews)
            status = Review.Status.HIDDEN if action == "hide" else Review.Status.PUBLISHED
            Review.objects.filter(pk=review.pk).update(
                status=status, removed_at=timezone.now() if action == "hide" else None
            )
            therapist = review.therapist
        elif action == "credential":
            CredentialFactory(therapist=therapist, kind=rng.choice(["licence", "certificate"]))
        elif action == "verify":
            Credential.objects.filter(therapist=therapist, status="pending").update(status="verified")
        recompute_score(therapist_id=therapist.pk)
    assert recompute_scores() == 0
