"""Review text is shown escaped on every page this app renders, and on the profile."""

import pytest

from tests.factories import ReviewFactory, ReviewReplyFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = [SCRIPT, IMG]


def assert_escaped(html: str):
    for raw in HOSTILE:
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.fixture
def hostile_review():
    return ReviewFactory(title=SCRIPT + IMG, body=f"{SCRIPT}\n{IMG} and enough text to pass.")


def test_edit_form_escapes_the_authors_own_text(client, hostile_review):
    client.force_login(hostile_review.author)
    assert_escaped(client.get(f"/therapists/{hostile_review.therapist.slug}/review/").content.decode())


def test_flag_page_escapes_the_review(client, hostile_review):
    client.force_login(UserFactory())
    assert_escaped(client.get(f"/reviews/{hostile_review.pk}/flag/").content.decode())


def test_reply_page_escapes_the_review_and_the_reply(client, hostile_review):
    ReviewReplyFactory(review=hostile_review, body=SCRIPT + IMG)
    client.force_login(hostile_review.therapist.user)
    assert_escaped(client.get(f"/reviews/{hostile_review.pk}/reply/").content.decode())


def test_profile_never_shows_the_raw_text(client, hostile_review):
    html = client.get(f"/therapists/{hostile_review.therapist.slug}/").content.decode()
    for raw in HOSTILE:
        assert raw not in html
