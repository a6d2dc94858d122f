"""templates/includes/review_actions.html: what each person sees on a review card."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string

from reviews.models import ReviewFlag
from tests.factories import ReviewFactory, ReviewReplyFactory, UserFactory

pytestmark = pytest.mark.django_db


def render(review, user):
    return render_to_string("includes/review_actions.html", {"review": review, "user": user})


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


def test_reviewed_therapist_gets_a_reply_link():
    review = ReviewFactory()
    html = render(review, review.therapist.user)
    assert f'href="/reviews/{review.pk}/reply/"' in html
    assert "Reply publicly" in html


def test_reviewed_therapist_who_replied_gets_an_edit_reply_link():
    reply = ReviewReplyFactory()
    assert "Edit your reply" in render(reply.review, reply.review.therapist.user)
