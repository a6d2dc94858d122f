"""Writing and editing one's review at /therapists/<slug>/review/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Review
from tests.factories import ModalityFactory, ReviewFactory, TherapistFactory, UserFactory
from tests.permissions import matrix
from tests.reviews.helpers import review_data
from therapists.models import Therapist

pytestmark = pytest.mark.django_db


def url(therapist):
    return f"/therapists/{therapist.slug}/review/"


@pytest.mark.parametrize(
    ("role", "status", "saved"),
    matrix(
        {
            "anonymous": (302, False),
            "client": (302, True),
            "other_therapist": (302, True),
            "owner": (403, False),  # a therapist cannot review their own profile
            "moderator": (302, True),
            "staff": (302, True),
        }
    ),
)
def test_write_review_permissions(client, login_as, therapist, role, status, saved):
    user = login_as(client, role, owner=therapist)
    response = client.post(url(therapist), review_data(therapist))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    assert Review.objects.filter(therapist=therapist).exists() == saved
    if saved:
        assert Review.objects.get(therapist=therapist).author == user


def test_client_publishes_review_and_score_follows(client, therapist):
    author = UserFactory()
    client.force_login(author)
    response = client.post(url(therapist), review_data(therapist, rating="4"), follow=True)
    assert response.redirect_chain == [(f"/therapists/{therapist.slug}/", 302)]
    assert "Thank you, your review is published." in response.content.decode()
    review = Review.objects.get()
    assert (review.author, review.rating, review.edited_at) == (author, 4, None)
    assert (review.consultation_given, review.unwanted_effects, review.aftercare_given) == (True, False, True)
    assert review.modality == therapist.modalities.first()
    therapist.refresh_from_db()
    assert (therapist.review_count, therapist.rating_avg) == (1, 4.0)
    assert therapist.score > 0


def test_form_asks_the_three_questions_in_plain_words(client, client_user, therapist):
    client.force_login(client_user)
    page = client.get(url(therapist)).content.decode()
    for question in [
        "Before the session, did the therapist ask about your needs and your health "
        "(for example pain, injuries, skin or other conditions)?",
        "During or after the session, did you have unwanted effects such as bruising or pain that lasted?",
        "Did the therapist give you personal advice for after the session (stretching, rest, what to avoid)?",
    ]:
        assert f"<legend>{question}</legend>" in page
    assert 'href="/how-we-rank/"' in page
    assert therapist.display_name in page


def test_second_submit_edits_the_first_review_and_marks_it_edited(client, client_user, therapist):
    client.force_login(client_user)
    client.post(url(therapist), review_data(therapist, rating="5"))
    response = client.post(url(therapist), review_data(therapist, rating="2"), follow=True)
    assert "Thank you, your review is updated." in response.content.decode()
    review = Review.objects.get()
    assert review.rating == 2
    assert review.edited_at is not None
    therapist.refresh_from_db()
    assert (therapist.review_count, therapist.rating_avg) == (1, 2.0)


def test_edit_form_is_prefilled_with_the_existing_review(client, client_user, therapist):
    ReviewFactory(therapist=therapist, author=client_user, title="My earlier words")
    client.force_login(client_user)
    page = client.get(url(therapist)).content.decode()
    assert 'value="My earlier words"' in page
    assert "Edit your review of" in page


def test_double_submit_creates_one_review(client, client_user, therapist):
    client.force_login(client_user)
    data = review_data(therapist)
    first = client.post(url(therapist), data)
    second = client.post(url(therapist), data)
    assert (first.status_code, second.status_code) == (302, 302)
    review = Review.objects.get()
    # The same answers twice are not an edit.
    assert review.edited_at is None
    therapist.refresh_from_db()
    assert therapist.review_count == 1


def test_editing_is_refused_after_thirty_days(client, client_user, therapist):
    review = ReviewFactory(
        therapist=therapist, author=client_user, rating=5, created_at=timezone.now() - timedelta(days=31)
    )
    client.force_login(client_user)
    response = client.post(url(therapist), review_data(therapist, rating="1"))
    assert response.status_code == 403
    assert "can be edited for 30 days" in response.content.decode()
    review.refresh_from_db()
    assert (review.rating, review.edited_at) == (5, None)


def test_editing_is_allowed_on_day_twenty_nine(client, client_user, therapist):
    review = ReviewFactory(therapist=therapist, author=client_user, created_at=timezone.now() - timedelta(days=29))
    client.force_login(client_user)
    response = client.post(url(therapist), review_data(therapist, rating="1"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.rating == 1 and review.edited_at is not None


def test_unconfirmed_email_is_refused_with_a_link_to_confirm(client, therapist):
    client.force_login(UserFactory(confirmed=False))
    response = client.post(url(therapist), review_data(therapist))
    assert response.status_code == 403
    page = response.content.decode()
    assert "confirm your email address" in page
    assert 'href="/accounts/email/"' in page
    assert not Review.objects.exists()


@pytest.mark.parametrize("status", [Therapist.Status.SUSPENDED, Therapist.Status.DRAFT])
def test_unpublished_profile_cannot_be_reviewed(client, client_user, status):
    therapist = TherapistFactory(status=status)
    client.force_login(client_user)
    assert client.get(url(therapist)).status_code == 404
    assert client.post(url(therapist), review_data(therapist)).status_code == 404
    assert not Review.objects.exists()


def test_own_profile_page_explains_the_refusal(client, therapist):
    client.force_login(therapist.user)
    response = client.get(url(therapist))
    assert response.status_code == 403
    assert "You cannot review your own profile." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consultation_given": None}, "consultation_given", "Please answer this question with yes or no."),
        ({"unwanted_effects": None}, "unwanted_effects", "Please answer this question with yes or no."),
        ({"aftercare_given": None}, "aftercare_given", "Please answer this question with yes or no."),
        ({"consultation_given": "maybe"}, "consultation_given", "Select a valid choice."),
        ({"rating": "0"}, "rating", "Please choose a rating from 1 to 5 stars."),
        ({"rating": "6"}, "rating", "Please choose a rating from 1 to 5 stars."),
        ({"rating": None}, "rating", "Please choose a rating from 1 to 5 stars."),
        ({"body": "x" * 6000}, "body", "at most 5000 characters"),
        ({"body": "Too short."}, "body", "at least 20 characters"),
        ({"title": ""}, "title", "This field is required."),
        ({"visit_date": "not a date"}, "visit_date", "Enter a valid date."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(
    client, client_user, therapist, overrides, field, message
):
    client.force_login(client_user)
    response = client.post(url(therapist), review_data(therapist, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Review.objects.exists()
    therapist.refresh_from_db()
    assert therapist.review_count == 0


def test_future_visit_date_is_refused(client, client_user, therapist):
    client.force_login(client_user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url(therapist), review_data(therapist, visit_date=tomorrow))
    assert response.context["form"].errors == {"visit_date": ["The visit date cannot be in the future."]}
    assert not Review.objects.exists()


def test_visit_more_than_two_years_ago_is_refused(client, client_user, therapist):
    client.force_login(client_user)
    long_ago = (timezone.localdate() - timedelta(days=2 * 366)).isoformat()
    response = client.post(url(therapist), review_data(therapist, visit_date=long_ago))
    assert response.context["form"].errors == {"visit_date": ["Please review visits from the last two years only."]}
    assert not Review.objects.exists()


def test_modality_the_therapist_does_not_offer_is_refused(client, client_user, therapist):
    elsewhere = ModalityFactory(slug="hot-stone")
    client.force_login(client_user)
    response = client.post(url(therapist), review_data(therapist, modality=elsewhere.pk))
    assert response.context["form"].errors == {"modality": ["Choose a massage type this therapist offers."]}
    assert not Review.objects.exists()


def test_modality_choices_are_only_the_therapists(client, client_user, therapist):
    ModalityFactory(slug="hot-stone", name="Hot stone")
    client.force_login(client_user)
    page = client.get(url(therapist)).content.decode()
    assert therapist.modalities.get().name in page
    assert "Hot stone" not in page


def test_body_keeps_line_breaks(client, client_user, therapist):
    client.force_login(client_user)
    body = "First line of my review.\nSecond line, after a break."
    client.post(url(therapist), review_data(therapist, body=body))
    assert Review.objects.get().body == body


def test_posting_is_rate_limited_per_user(client, client_user, therapist, settings):
    settings.REVIEW_RATE_LIMIT = "2/h"
    client.force_login(client_user)
    assert client.post(url(therapist), review_data(therapist, rating="5")).status_code == 302
    assert client.post(url(therapist), review_data(therapist, rating="4")).status_code == 302
    response = client.post(url(therapist), review_data(therapist, rating="1"))
    assert response.status_code == 429
    assert "Please wait a while and try again." in response.content.decode()
    assert Review.objects.get().rating == 4


def test_rate_limit_of_one_user_does_not_block_another(client, therapist, settings):
    settings.REVIEW_RATE_LIMIT = "1/h"
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    client.post(url(therapist), review_data(therapist))
    client.force_login(second)
    assert client.post(url(therapist), review_data(therapist)).status_code == 302
    assert Review.objects.count() == 2


def test_write_page_query_count(client, client_user, therapist, django_assert_max_num_queries):
    client.force_login(client_user)
    with django_assert_max_num_queries(10):
        assert client.get(url(therapist)).status_code == 200


def test_browser_line_endings_are_stored_as_newlines_and_counted_once(client, client_user, therapist):
    client.force_login(client_user)
    body = "A short line.\r\n" * 350  # 4,900 characters as typed, 5,250 as sent
    response = client.post(url(therapist), review_data(therapist, body=body))
    assert response.status_code == 302
    assert Review.objects.get().body == body.replace("\r\n", "\n").strip()
