"""Concurrent review writes on PostgreSQL: one review per client, and no lost score update."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Avg, Count
from django.utils import timezone

from reviews import rules
from reviews.models import Review
from reviews.services import publish_review
from tests.factories import TherapistFactory, UserFactory
from therapists.models import Therapist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(targets):
    """Start one thread per callable, release them together, and re-raise the first error."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=30)
            target()
        except Exception as error:  # reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def submit(therapist, author, rating):
    return lambda: publish_review(
        therapist=therapist,
        author=author,
        rating=rating,
        title="At the same time",
        body="Submitted at the same moment as another review.",
        visit_date=timezone.localdate() - timedelta(days=1),
        consultation_given=rating > 2,
        unwanted_effects=rating < 3,
        aftercare_given=rating % 2 == 0,
    )


def assert_denormalised_fields_match_a_fresh_aggregate(therapist):
    therapist = Therapist.objects.get(pk=therapist.pk)
    fresh = Review.objects.published().filter(therapist=therapist).aggregate(count=Count("pk"), avg=Avg("rating"))
    assert therapist.review_count == fresh["count"]
    assert therapist.rating_avg == pytest.approx(fresh["avg"])


def test_double_submit_from_two_threads_creates_one_review():
    therapist = TherapistFactory()
    author = UserFactory()
    run_at_once([submit(therapist, author, 5), submit(therapist, author, 5)])
    assert Review.objects.filter(therapist=therapist, author=author).count() == 1
    assert_denormalised_fields_match_a_fresh_aggregate(therapist)


def test_fifty_clients_reviewing_at_once_leave_the_score_fields_right():
    therapist = TherapistFactory()
    # Established accounts: fifty fresh ones in a minute are a burst, which the hold rule tests cover.
    authors = UserFactory.create_batch(50, date_joined=timezone.now() - rules.BURST_YOUNG_ACCOUNT - timedelta(days=1))
    run_at_once([submit(therapist, author, 1 + n % 5) for n, author in enumerate(authors)])
    assert Review.objects.filter(therapist=therapist).count() == 50
    assert_denormalised_fields_match_a_fresh_aggregate(therapist)
    therapist.refresh_from_db()
    assert therapist.review_count == 50
    assert therapist.rating_avg == pytest.approx(3.0)
