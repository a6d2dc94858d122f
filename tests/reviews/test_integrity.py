"""Review integrity (issue 17): the burst hold, insider refusal, display names and erasure."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from moderation import services as moderation_services
from moderation.models import Decision
from reviews import rules, services
from reviews.models import InsiderRefusal, Review, ReviewReply
from tests.factories import ReviewFactory, TherapistFactory, UserFactory
from tests.reviews.helpers import review_data

pytestmark = pytest.mark.django_db


def write(therapist, *, rating=5, author=None, now=None, young=True):
    now = now or timezone.now()
    if author is None:
        joined = now - (timedelta(days=1) if young else rules.BURST_YOUNG_ACCOUNT + timedelta(days=1))
        author = UserFactory(date_joined=joined)
    return services.publish_review(
        therapist=therapist, author=author, rating=rating, title="A visit", body="A body long enough to be a review.",
        visit_date=timezone.localdate() - timedelta(days=2), consultation_given=True, unwanted_effects=False,
        aftercare_given=True, now=now,
    )


def statuses(therapist):
    return list(Review.objects.filter(therapist=therapist).order_by("pk").values_list("status", flat=True))


# The burst rule at its thresholds


def test_just_below_the_burst_threshold_everything_is_published():
    therapist = TherapistFactory()
    for _ in range(rules.BURST_MIN_REVIEWS - 1):
        write(therapist)
    assert statuses(therapist) == [Review.Status.PUBLISHED] * (rules.BURST_MIN_REVIEWS - 1)
    therapist.refresh_from_db()
    assert therapist.review_count == rules.BURST_MIN_REVIEWS - 1


@pytest.mark.parametrize("rating", [1, 5])
def test_at_the_threshold_the_whole_burst_is_held_whatever_the_rating(rating):
    therapist = TherapistFactory()
    for _ in range(rules.BURST_MIN_REVIEWS):
        write(therapist, rating=rating)
    assert statuses(therapist) == [Review.Status.HELD] * rules.BURST_MIN_REVIEWS
    therapist.refresh_from_db()
    # Held reviews count for nothing: the score pipeline aggregates published() only.
    assert therapist.review_count == 0
    assert Decision.objects.filter(action=Decision.Action.HOLD_REVIEW).count() == rules.BURST_MIN_REVIEWS


def test_above_the_threshold_the_next_review_is_held_too():
    therapist = TherapistFactory()
    for _ in range(rules.BURST_MIN_REVIEWS + 1):
        write(therapist, rating=1)
    assert statuses(therapist) == [Review.Status.HELD] * (rules.BURST_MIN_REVIEWS + 1)


def test_reviews_outside_the_window_or_from_older_accounts_do_not_make_a_burst():
    therapist = TherapistFactory()
    now = timezone.now()
    write(therapist, now=now - rules.BURST_WINDOW - timedelta(minutes=1))
    for _ in range(rules.BURST_MIN_REVIEWS - 2):
        write(therapist, now=now)
    write(therapist, now=now, young=False)  # an established account's review is not part of a burst
    assert set(statuses(therapist)) == {Review.Status.PUBLISHED}


def test_a_review_a_moderator_published_is_not_held_again():
    therapist = TherapistFactory()
    moderator = UserFactory(moderator=True)
    for _ in range(rules.BURST_MIN_REVIEWS):
        write(therapist)
    first = Review.objects.filter(therapist=therapist).order_by("pk").first()
    moderation_services.decide_held_review(review=first, moderator=moderator, publish=True)
    write(therapist)
    first.refresh_from_db()
    assert first.status == Review.Status.PUBLISHED


def test_the_therapist_and_each_author_are_told_after_commit(django_capture_on_commit_callbacks):
    therapist = TherapistFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reviews = [write(therapist) for _ in range(rules.BURST_MIN_REVIEWS)]
    recipients = sorted(email.to[0] for email in mail.outbox)
    assert recipients == sorted([therapist.user.email, *(review.author.email for review in reviews)])
    to_therapist = next(email for email in mail.outbox if email.to == [therapist.user.email])
    assert "whatever their ratings" in to_therapist.body


def test_held_reviews_leak_nowhere_visitors_look(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, held=True, title="Held back title")
    page = client.get(therapist.get_absolute_url()).content.decode()
    assert "Held back title" not in page
    api = client.get(f"/api/v1/therapists/{therapist.slug}/reviews/")
    assert "Held back title" not in api.content.decode()


def test_the_author_is_told_on_the_page_that_the_review_waits(client):
    therapist = TherapistFactory()
    for _ in range(rules.BURST_MIN_REVIEWS - 1):
        write(therapist)
    author = UserFactory()
    client.force_login(author)
    response = client.post(f"/therapists/{therapist.slug}/review/", review_data(therapist), follow=True)
    assert "waiting for a moderator" in response.content.decode()
    assert Review.objects.get(author=author).status == Review.Status.HELD


# Insider disclosure


def test_an_insider_yes_refuses_the_review_explains_why_and_is_counted(client):
    therapist = TherapistFactory()
    author = UserFactory()
    client.force_login(author)
    response = client.post(f"/therapists/{therapist.slug}/review/", review_data(therapist, insider="True"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "We cannot publish this review" in page and "even with the relationship disclosed" in page
    assert not Review.objects.filter(author=author).exists()
    refusal = InsiderRefusal.objects.get()
    assert refusal.therapist == therapist


def test_the_insider_question_must_be_answered(client):
    therapist = TherapistFactory()
    client.force_login(UserFactory())
    response = client.post(f"/therapists/{therapist.slug}/review/", review_data(therapist, insider=None))
    assert "Please answer this question with yes or no." in response.content.decode()
    assert not Review.objects.exists() and not InsiderRefusal.objects.exists()


def test_the_form_asks_the_insider_question_and_links_the_rules(client):
    therapist = TherapistFactory()
    client.force_login(UserFactory())
    page = client.get(f"/therapists/{therapist.slug}/review/").content.decode()
    assert rules.INSIDER_QUESTION in page
    assert 'href="/how-reviews-work/"' in page


# Display names


def test_the_display_name_defaults_to_first_name_and_initial_never_the_email(client):
    therapist = TherapistFactory()
    author = UserFactory(name="Anna Maria Kowalska")
    client.force_login(author)
    client.post(f"/therapists/{therapist.slug}/review/", review_data(therapist))
    review = Review.objects.get(author=author)
    assert review.author_display_name == "Anna K."
    page = client.get(therapist.get_absolute_url()).content.decode()
    assert "Anna K." in page and author.email not in page


def test_an_email_address_as_display_name_is_refused(client):
    therapist = TherapistFactory()
    author = UserFactory()
    client.force_login(author)
    response = client.post(
        f"/therapists/{therapist.slug}/review/", review_data(therapist, author_display_name="me@example.com")
    )
    assert "do not show an email address" in response.content.decode()
    assert not Review.objects.exists()


def test_a_chosen_display_name_is_shown(client):
    therapist = TherapistFactory()
    author = UserFactory(name="")
    client.force_login(author)
    client.post(f"/therapists/{therapist.slug}/review/", review_data(therapist, author_display_name="Sam from Leeds"))
    assert Review.objects.get(author=author).author_display_name == "Sam from Leeds"


# Retention: erasure after 12 months, on a frozen clock


def test_removed_reviews_are_erased_after_the_retention_period_and_not_before():
    now = timezone.now()
    withdrawn = ReviewFactory(status=Review.Status.WITHDRAWN, removed_at=now - rules.RETENTION - timedelta(hours=1))
    ReviewReply.objects.create(review=withdrawn, author=withdrawn.therapist.user, body="Sorry to hear it.")
    hidden = ReviewFactory(hidden=True, removed_at=now - rules.RETENTION - timedelta(days=3))
    recent = ReviewFactory(hidden=True, removed_at=now - rules.RETENTION + timedelta(hours=1))
    published = ReviewFactory(created_at=now - timedelta(days=800))
    assert services.erase_expired_reviews(now=now) == 2
    for review in (withdrawn, hidden):
        review.refresh_from_db()
        assert (review.title, review.body, review.text_erased_at) == (services.ERASED_TITLE, "", now)
    withdrawn.reply.refresh_from_db()
    assert withdrawn.reply.body == ""
    recent.refresh_from_db()
    published.refresh_from_db()
    assert recent.body and recent.text_erased_at is None
    assert published.body and published.text_erased_at is None
    # Half an hour later nothing is due; the next day the recent one is, and every row (so every count) stays.
    assert services.erase_expired_reviews(now=now + timedelta(minutes=30)) == 0
    assert services.erase_expired_reviews(now=now + timedelta(days=1)) == 1
    assert Review.objects.count() == 4


def test_the_erasure_runs_daily_from_beat_and_from_the_command(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["erase-expired-reviews"]
    assert entry["task"] == "reviews.tasks.erase_expired_reviews"
    old = ReviewFactory(hidden=True, removed_at=timezone.now() - rules.RETENTION - timedelta(days=1))
    call_command("erase_expired_reviews")
    old.refresh_from_db()
    assert old.body == "" and old.text_erased_at is not None
