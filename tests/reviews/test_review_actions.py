"""templates/includes/review_actions.html: what each person sees on a review card."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone

from reviews.models import ReviewFlag
from tests.factories import ReviewFactory, ReviewReplyFactory, UserFactory

pytestmark = pytest.mark.django_db


def render(review, user):
    return render_to_string(
        "includes/review_actions.html", {"review": review, "user": user, "csrf_token": "the-token"}
    )


def test_anonymous_sees_no_actions():
    assert render(ReviewFactory(), AnonymousUser()).strip() == ""


def test_logged_in_reader_gets_a_flag_form_posting_to_the_flag_url():
    review = ReviewFactory()
    html = render(review, UserFactory())
    assert f'action="/reviews/{review.pk}/flag/"' in html
    assert f'<label for="flag-reason-{review.pk}">' in html
    assert "/reply/" not in html


def test_flag_form_offers_exactly_the_model_reasons():
    html = render(ReviewFactory(), UserFactory())
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', html)
    assert options == list(ReviewFlag.Reason.choices)


def test_author_gets_an_edit_link_and_no_flag_form():
    review = ReviewFactory()
    html = render(review, review.author)
    assert f'href="/therapists/{review.therapist.slug}/review/"' in html
    assert "/flag/" not in html


def test_author_gets_a_delete_form_that_asks_first():
    review = ReviewFactory()
    html = render(review, review.author)
    form = re.search(
        r'<details class="confirm-action">\s*<summary>Withdraw your review</summary>(.*?)</details>', html, re.S
    )
    assert form, "the delete button is not behind a confirming summary"
    assert f'action="/therapists/{review.therapist.slug}/review/withdraw/"' in form.group(1)
    assert 'name="csrfmiddlewaretoken" value="the-token"' in form.group(1)


def test_author_past_the_edit_window_gets_no_edit_link_but_still_delete():
    review = ReviewFactory(created_at=timezone.now() - timedelta(days=30, minutes=1))
    html = render(review, review.author)
    assert f'href="/therapists/{review.therapist.slug}/review/"' not in html
    assert "Editing closed on" in html
    assert "/review/withdraw/" in html


def test_flag_form_carries_the_token_it_is_given():
    html = render(ReviewFactory(), UserFactory())
    assert 'name="csrfmiddlewaretoken" value="the-token"' in html


def test_reviewed_therapist_gets_a_reply_link():
    review = ReviewFactory()
    html = render(review, review.therapist.user)
    assert f'href="/reviews/{review.pk}/reply/"' in html
    assert "Reply publicly" in html


def test_reviewed_therapist_who_replied_gets_an_edit_reply_link():
    reply = ReviewReplyFactory()
    assert "Edit your reply" in render(reply.review, reply.review.therapist.user)


def test_a_moderator_gets_the_moderation_page_instead_of_a_report_form():
    review = ReviewFactory()
    html = render(review, UserFactory(moderator=True))
    assert f'href="/moderation/reviews/{review.pk}/"' in html
    assert "/flag/" not in html
