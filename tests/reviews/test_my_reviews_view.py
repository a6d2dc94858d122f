"""A client's own reviews at /accounts/reviews/: every status, edit while allowed, delete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Review
from tests.factories import ReviewFactory, ReviewReplyFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/reviews/"


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_lists_only_the_users_own_reviews_newest_first(client):
    author = UserFactory()
    older = ReviewFactory(author=author, therapist=TherapistFactory(display_name="Clara Weber"),
                          created_at=timezone.now() - timedelta(days=3))
    newer = ReviewFactory(author=author, therapist=TherapistFactory(display_name="Jonas Falk"))
    ReviewFactory(therapist=TherapistFactory(display_name="Someone Else"))
    client.force_login(author)
    response = client.get(URL)
    assert response.status_code == 200
    assert [review.pk for review in response.context["page"]] == [newer.pk, older.pk]
    content = response.content.decode()
    assert "Someone Else" not in content
    assert content.index("Jonas Falk") < content.index("Clara Weber")


def test_a_recent_review_offers_edit_until_the_window_ends_and_delete(client):
    review = ReviewFactory()
    client.force_login(review.author)
    content = client.get(URL).content.decode()
    assert f'href="/therapists/{review.therapist.slug}/review/"' in content
    assert f"until {review.editable_until:%-d %B %Y}" in content
    assert f'action="/therapists/{review.therapist.slug}/review/withdraw/"' in content


def test_an_old_review_says_editing_closed_and_still_offers_delete(client):
    review = ReviewFactory(created_at=timezone.now() - timedelta(days=45))
    client.force_login(review.author)
    content = client.get(URL).content.decode()
    assert f'href="/therapists/{review.therapist.slug}/review/"' not in content
    assert f"Editing closed on {review.editable_until:%-d %B %Y}." in content
    assert f'action="/therapists/{review.therapist.slug}/review/withdraw/"' in content


def test_a_hidden_review_shows_the_moderators_reason(client):
    review = ReviewFactory(hidden=True, hidden_reason="Names another client.")
    client.force_login(review.author)
    content = client.get(URL).content.decode()
    assert "Hidden by a moderator" in content
    assert "Names another client." in content


def test_a_review_of_a_suspended_profile_is_listed_without_a_link_to_the_profile(client):
    review = ReviewFactory(therapist=TherapistFactory(suspended=True, display_name="Gone Away"))
    client.force_login(review.author)
    content = client.get(URL).content.decode()
    assert "Gone Away" in content
    assert f'href="/therapists/{review.therapist.slug}/' not in content
    assert "not public at the moment" in content


def test_the_therapists_reply_is_shown(client):
    reply = ReviewReplyFactory(body="Thank you, see you next month.")
    client.force_login(reply.review.author)
    assert "Thank you, see you next month." in client.get(URL).content.decode()


def test_someone_without_reviews_is_told_how_to_write_one(client, client_user):
    client.force_login(client_user)
    content = client.get(URL).content.decode()
    assert "You have not reviewed a therapist yet." in content
    assert 'href="/therapists/"' in content


def test_deleting_from_this_page_comes_back_to_it(client):
    review = ReviewFactory()
    client.force_login(review.author)
    response = client.post(f"/therapists/{review.therapist.slug}/review/withdraw/", {"next": URL}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert f"Your review of {review.therapist.display_name} is withdrawn" in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_delete_never_redirects_off_the_site(client, next_url):
    review = ReviewFactory()
    client.force_login(review.author)
    response = client.post(f"/therapists/{review.therapist.slug}/review/withdraw/", {"next": next_url})
    assert response["Location"] == f"/therapists/{review.therapist.slug}/"
    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN


def test_deleting_a_review_of_a_suspended_profile_comes_back_to_your_reviews(client):
    review = ReviewFactory(therapist=TherapistFactory(suspended=True))
    client.force_login(review.author)
    response = client.post(f"/therapists/{review.therapist.slug}/review/withdraw/")
    assert response["Location"] == URL
    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN
