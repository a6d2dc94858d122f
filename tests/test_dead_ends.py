"""Each role is offered only what it can do, and every refusal leads somewhere (issue 13, item 2)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ReviewFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def header_actions(client, therapist) -> str:
    content = client.get(f"/therapists/{therapist.slug}/").content.decode()
    return re.search(r'<div class="profile-actions">(.*?)</div>', content, re.S).group(1)


def nav(content: str) -> str:
    return re.search(r'<nav aria-label="Main">(.*?)</nav>', content, re.S).group(1)


def nav_links(client) -> dict[str, str]:
    html = nav(client.get("/").content.decode())
    links = re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html)
    return {re.sub(r"<[^>]+>|\s+", " ", label).strip(): href for href, label in links}


# The profile's header


def test_a_visitor_is_offered_to_write_a_review(client, therapist):
    assert f'href="/therapists/{therapist.slug}/review/">Write a review' in header_actions(client, therapist)


def test_the_therapist_is_offered_their_dashboard_not_a_review_of_themselves(client, therapist):
    client.force_login(therapist.user)
    actions = header_actions(client, therapist)
    assert "Write a review" not in actions
    assert 'href="/dashboard/">Manage your profile' in actions


def test_an_author_within_30_days_is_offered_to_edit(client, therapist):
    review = ReviewFactory(therapist=therapist)
    client.force_login(review.author)
    actions = header_actions(client, therapist)
    assert f'href="/therapists/{therapist.slug}/review/">Edit your review' in actions
    assert "Write a review" not in actions


def test_an_author_after_30_days_is_not_offered_an_edit_that_would_be_refused(client, therapist):
    review = ReviewFactory(therapist=therapist, created_at=timezone.now() - timedelta(days=31))
    client.force_login(review.author)
    actions = header_actions(client, therapist)
    assert f'href="/therapists/{therapist.slug}/review/"' not in actions
    assert f"You reviewed {therapist.display_name} on" in actions
    assert 'href="/accounts/reviews/">Your reviews' in actions


def test_an_author_whose_review_was_hidden_is_told_so(client, therapist):
    review = ReviewFactory(therapist=therapist, hidden=True)
    client.force_login(review.author)
    actions = header_actions(client, therapist)
    assert "a moderator has hidden your review" in actions
    assert "Edit your review" not in actions


def test_a_moderator_is_offered_the_profile_in_moderation(client, therapist, moderator):
    client.force_login(moderator)
    assert f'href="/moderation/therapists/{therapist.pk}/">Open in moderation' in header_actions(client, therapist)


def test_a_review_card_offers_its_author_edit_only_within_30_days_and_delete_always(client, therapist):
    recent = ReviewFactory(therapist=therapist)
    client.force_login(recent.author)
    card = client.get(f"/therapists/{therapist.slug}/").content.decode()
    assert f'action="/therapists/{therapist.slug}/review/withdraw/"' in card

    old = ReviewFactory(therapist=therapist, created_at=timezone.now() - timedelta(days=40))
    client.force_login(old.author)
    content = client.get(f"/therapists/{therapist.slug}/").content.decode()
    old_card = re.search(rf'<article class="review-card" id="review-{old.pk}">(.*?)</article>', content, re.S).group(1)
    assert "Edit your review" not in old_card
    assert "Editing closed on" in old_card
    assert f'action="/therapists/{therapist.slug}/review/withdraw/"' in old_card


# The navigation


def test_a_client_gets_their_reviews_and_no_dashboard(client, client_user):
    client.force_login(client_user)
    links = nav_links(client)
    assert links.get("Your reviews") == "/accounts/reviews/"
    assert "Dashboard" not in links


def test_a_therapist_gets_the_dashboard(client, therapist):
    client.force_login(therapist.user)
    assert nav_links(client)["Dashboard"] == "/dashboard/"


def test_a_therapist_with_a_draft_still_gets_the_dashboard(client):
    client.force_login(TherapistFactory(draft=True).user)
    assert nav_links(client)["Dashboard"] == "/dashboard/"


def test_a_moderator_gets_moderation_and_no_dashboard(client, moderator):
    client.force_login(moderator)
    links = nav_links(client)
    assert links["Moderation"] == "/moderation/"
    assert "Dashboard" not in links


@pytest.mark.parametrize("role", ["anonymous", "client", "therapist", "moderator", "moderating_therapist"])
def test_every_navigation_link_opens_a_page(client, role):
    users = {
        "client": lambda: UserFactory(),
        "therapist": lambda: TherapistFactory().user,
        "moderator": lambda: UserFactory(moderator=True),
        "moderating_therapist": lambda: TherapistFactory(user=UserFactory(moderator=True)).user,
    }
    if role in users:
        client.force_login(users[role]())
    for label, href in nav_links(client).items():
        assert client.get(href).status_code == 200, f"{role}: “{label}” ({href})"


def test_listing_a_practice_is_offered_to_people_without_a_profile_only(client, client_user, therapist):
    client.force_login(client_user)
    assert 'href="/dashboard/">List your practice' in client.get("/").content.decode()
    client.force_login(therapist.user)
    assert "List your practice" not in client.get("/").content.decode()


# Refusals lead somewhere


def test_reviewing_oneself_is_refused_with_a_way_to_the_dashboard(client, therapist):
    client.force_login(therapist.user)
    response = client.get(f"/therapists/{therapist.slug}/review/")
    assert response.status_code == 403
    assert '<a class="button" href="/dashboard/">Go to your dashboard</a>' in response.content.decode()


def test_editing_after_30_days_is_refused_with_a_way_to_your_reviews(client, therapist):
    review = ReviewFactory(therapist=therapist, created_at=timezone.now() - timedelta(days=31))
    client.force_login(review.author)
    response = client.get(f"/therapists/{therapist.slug}/review/")
    content = response.content.decode()
    assert response.status_code == 403
    assert "You can still withdraw it" in content
    assert '<a class="button" href="/accounts/reviews/">Your reviews</a>' in content
