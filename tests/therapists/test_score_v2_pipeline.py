"""Score v2 in the pipeline: review age and verification from SQL, verified years from licences,
the snapshot history written once per change, and what profiles, cards and How we rank show."""

import random
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import AppointmentFactory, CredentialFactory, ReviewFactory, TherapistFactory
from therapists import scoring
from therapists.charts import score_history_chart
from therapists.models import ScoreSnapshot, Therapist
from therapists.scores import recompute_score, recompute_scores, score_inputs
from therapists.scoring import ReviewGroup, ScoreInputs, compute_score, years_before

pytestmark = pytest.mark.django_db


def _aged(therapist, days_old, **fields):
    review = ReviewFactory(therapist=therapist, **fields)
    type(review).objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return review


def test_reviews_are_grouped_by_whole_years_of_age():
    therapist = TherapistFactory()
    _aged(therapist, 10)
    _aged(therapist, 400, rating=4)
    _aged(therapist, 3000, rating=3, aftercare_given=False)

    inputs = score_inputs(therapist=therapist)

    assert sorted(inputs.reviews, key=lambda g: g.age_years) == [
        ReviewGroup(False, 0, 1, 5, 1, 1, 1),
        ReviewGroup(False, 1, 1, 4, 1, 1, 1),
        ReviewGroup(False, scoring.AGE_STEPS, 1, 3, 1, 1, 0),
    ]


def test_a_review_weighs_less_from_the_day_it_turns_one_and_only_then_is_the_row_rewritten():
    today = timezone.localdate()
    therapist = TherapistFactory(practising_since=None)  # no experience that changes with the year
    for _ in range(3):
        _aged(therapist, 100)
    anniversary = years_before(today - timedelta(days=100), -1)  # the reviews' first birthday
    eve = anniversary - timedelta(days=1)
    recompute_scores(today=eve)
    assert recompute_scores(today=eve) == 0
    before = recompute_score(therapist_id=therapist.pk, today=eve).score

    assert recompute_scores(today=anniversary) == 1

    therapist.refresh_from_db()
    assert therapist.score < before
    group = ReviewGroup(False, 1, 3, 15, 3, 3, 3)
    assert therapist.score == compute_score(ScoreInputs(reviews=(group,))).score


def test_years_since_the_earliest_verified_licence_count_fully_even_after_it_expired():
    today = timezone.localdate()
    therapist = TherapistFactory(practising_since=today.year - 13)
    CredentialFactory(
        therapist=therapist, verified=True, status="expired",
        issued_on=today.replace(year=today.year - 8), expires_on=today - timedelta(days=1),
    )
    CredentialFactory(therapist=therapist, status="pending", issued_on=today.replace(year=today.year - 12))

    therapist = recompute_score(therapist_id=therapist.pk)

    experience = next(c for c in therapist.score_breakdown if c["key"] == "experience")
    assert experience["explanation"] == "8 years verified by licence, 5 more self-declared"
    assert not therapist.has_verified_licence


def test_a_snapshot_is_written_once_per_day_of_change_not_once_per_day():
    today = timezone.localdate()
    therapist = TherapistFactory()  # the factory scores it: the first snapshot, today
    ReviewFactory(therapist=therapist)  # changes the score again the same day: still one row
    assert list(ScoreSnapshot.objects.filter(therapist=therapist).values_list("day", flat=True)) == [today]

    assert recompute_scores(today=today + timedelta(days=1)) == 0
    assert recompute_scores(today=today + timedelta(days=2)) == 0
    assert ScoreSnapshot.objects.filter(therapist=therapist).count() == 1

    credential = CredentialFactory(therapist=therapist)  # pending: no change
    type(credential).objects.filter(pk=credential.pk).update(status="verified")  # behind the pipeline's back
    assert recompute_scores(today=today + timedelta(days=3)) == 1
    days = list(ScoreSnapshot.objects.filter(therapist=therapist).values_list("day", "score"))
    therapist.refresh_from_db()
    assert days[0][0] == today and days[-1] == (today + timedelta(days=3), therapist.score)


def test_set_wise_and_per_therapist_recompute_agree_with_ages_and_expired_licences():
    rng = random.Random(18)
    today = timezone.localdate()
    therapists = TherapistFactory.create_batch(5)
    for _ in range(40):
        therapist = rng.choice(therapists)
        if rng.random() < 0.7:
            _aged(therapist, rng.randint(0, 3000), rating=rng.randint(1, 5), consultation_given=rng.random() < 0.6,
                  unwanted_effects=rng.random() < 0.3, aftercare_given=rng.random() < 0.5)
        else:
            issued = today - timedelta(days=rng.randint(30, 9000))
            expired = rng.random() < 0.4
            CredentialFactory(
                therapist=therapist, kind=rng.choice(["licence", "certificate"]), verified=True,
                status="expired" if expired else "verified", issued_on=issued,
                expires_on=(today - timedelta(days=1)) if expired else None,
            )
    for therapist in therapists:
        recompute_score(therapist_id=therapist.pk)
    assert recompute_scores() == 0


def test_profile_and_card_say_not_enough_reviews_below_three(client):
    therapist = TherapistFactory(display_name="Two Reviews", city="Berlin")
    ReviewFactory.create_batch(2, therapist=therapist)

    profile = client.get(therapist.get_absolute_url()).content.decode()
    search = client.get("/therapists/?q=Two+Reviews").content.decode()

    assert profile.count("Not enough reviews yet") >= 4  # the four review components
    card = search[search.index("Two Reviews"):]
    assert "Not enough reviews yet" in card[: card.index("</article>")]


def test_cards_show_licence_rating_and_experience_in_that_order_in_whole_points(client):
    therapist = TherapistFactory(display_name="Card Order")
    CredentialFactory(therapist=therapist, verified=True)
    ReviewFactory.create_batch(3, therapist=therapist)

    html = client.get("/therapists/?q=Card+Order").content.decode()

    card = html[html.index("Card Order"):]
    card = card[: card.index("</article>")]
    labels = re.findall(r"<li>(Verified licence|Client rating|Years of experience) ", card)
    assert labels == ["Verified licence", "Client rating", "Years of experience"]
    assert "20/20" in card
    assert not re.search(r"\d+\.\d/\d+", card)  # whole points on cards


def test_how_we_rank_shows_the_distribution_and_follows_the_weights_table(client, monkeypatch):
    cache.clear()
    TherapistFactory.create_batch(4)
    published = list(Therapist.objects.published().values_list("score", flat=True))
    counts = Therapist.objects.published().score_distribution()
    assert sum(counts) == len(published)

    html = client.get("/how-we-rank/").content.decode()
    assert f"({len(published)} in all" in html
    assert "a review without one counts 50%" in html

    monkeypatch.setitem(scoring.REVIEW_WEIGHTS, "not_verified", 0.25)
    assert "a review without one counts 25%" in client.get("/how-we-rank/").content.decode()


def test_score_distribution_counts_each_slice_and_puts_100_in_the_last():
    therapists = TherapistFactory.create_batch(4)
    for therapist, score in zip(therapists, [0, 9.9, 10, 100], strict=True):
        Therapist.objects.filter(pk=therapist.pk).update(score=score)

    assert Therapist.objects.published().score_distribution() == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_dashboard_charts_the_history_with_the_events_that_moved_it(client):
    therapist = TherapistFactory()
    CredentialFactory(therapist=therapist, verified=True, title="Massage therapist licence")
    ReviewFactory(therapist=therapist, rating=4)
    client.force_login(therapist.user)
    assert "Your score history starts today" in client.get("/dashboard/").content.decode()
    ScoreSnapshot.objects.create(therapist=therapist, day=timezone.localdate() - timedelta(days=100), score=10)

    html = client.get("/dashboard/").content.decode()

    assert '<path class="chart-line" d="M' in html
    assert "Verified: Massage therapist licence" in html
    assert "Review published (4★)" in html


def test_history_chart_holds_each_score_until_it_changes():
    today = timezone.localdate()
    chart = score_history_chart(
        [(today - timedelta(days=400), 50.0), (today - timedelta(days=65), 75.0)], [], today=today, days=365
    )
    # From the window's start at 50 (the snapshot before it), a step up to 75, held until today.
    # y = 12 + 178 * (1 - score / 100); x = 36 + 592 * days since the start / 365 (300 days: 522.6).
    assert chart.path == "M36.0 101.0 L522.6 101.0 L522.6 56.5 L628.0 56.5"
    assert not score_history_chart([(today, 40.0)], [], today=today).path  # one day is not a history yet


def test_a_review_of_an_attended_appointment_weighs_as_a_verified_visit():
    therapist = TherapistFactory(practising_since=None)
    appointment = AppointmentFactory(attended=True, request__therapist=therapist)
    ReviewFactory(therapist=therapist, author=appointment.client, appointment=appointment)
    ReviewFactory(therapist=therapist)

    inputs = score_inputs(therapist=therapist)
    therapist.refresh_from_db()

    assert sorted(inputs.reviews, key=lambda g: g.verified) == [
        ReviewGroup(False, 0, 1, 5, 1, 1, 1),
        ReviewGroup(True, 0, 1, 5, 1, 1, 1),
    ]
    assert therapist.score == compute_score(inputs).score
    two_unverified = compute_score(ScoreInputs(reviews=(ReviewGroup(False, 0, 2, 10, 2, 2, 2),))).score
    assert therapist.score > two_unverified
