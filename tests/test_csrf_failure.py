"""CSRF_FAILURE_VIEW: a refused form gets the site's page, says what happened, offers a way back."""

import pytest
from django.test import Client

from reviews.models import ReviewFlag
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def flag_without_token(client, review, **headers):
    client.force_login(UserFactory())
    return client.post(f"/reviews/{review.pk}/flag/", {"reason": "offensive"}, **headers)


def test_a_form_without_a_token_gets_the_site_page_and_changes_nothing(strict_client):
    review = ReviewFactory()
    response = flag_without_token(strict_client, review)
    content = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Your form was not sent</h1>" in content
    assert "Nothing was changed." in content
    assert 'class="site-header"' in content  # the site's layout, not Django's bare CSRF page
    assert "CSRF verification failed" not in content
    assert not ReviewFlag.objects.exists()


def test_the_page_leads_back_to_the_page_the_form_was_on(strict_client):
    review = ReviewFactory()
    profile = f"/therapists/{review.therapist.slug}/?page=1"
    response = flag_without_token(strict_client, review, HTTP_REFERER=f"http://testserver{profile}")
    assert f'<a class="button" href="{profile}">Back to the page you were on</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("referer", ["https://evil.example/phish", "javascript:alert(1)", "//evil.example/"])
def test_a_foreign_referer_is_never_offered_as_the_way_back(strict_client, referer):
    response = flag_without_token(strict_client, ReviewFactory(), HTTP_REFERER=referer)
    content = response.content.decode()
    assert "evil.example" not in content
    assert "javascript:" not in content
    assert '<a class="button" href="/">Go to the home page</a>' in content


def test_the_page_renders_for_a_visitor_who_is_not_logged_in(strict_client):
    response = strict_client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "<h1>Your form was not sent</h1>" in response.content.decode()
