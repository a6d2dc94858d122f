import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import TEST_PASSWORD, TherapistFactory, UserFactory
from therapists.models import Therapist

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/accounts/password/reset/key/1-not-a-key/",
]
LOGGED_IN_PAGES = ["/accounts/logout/", "/accounts/password/change/", "/accounts/email/"]


def page_text(response) -> str:
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def labelled_inputs_only(html: str) -> bool:
    """Every visible input, select and textarea has a <label for> with its id."""
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
    unlabelled = [field_id for field_id in ids if f'for="{field_id}"' not in html]
    return not unlabelled


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_use_the_site_layout_and_label_every_input(client, path):
    response = client.get(path, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Qualified&nbsp;Touch" in html and '<main id="main"' in html
    assert html.count("<h1") == 1
    assert labelled_inputs_only(html)


@pytest.mark.parametrize("path", LOGGED_IN_PAGES)
def test_logged_in_account_pages_use_the_site_layout(client, client_user, path):
    client.force_login(client_user)

    response = client.get(path)

    assert response.status_code == 200
    assert '<main id="main"' in response.content.decode()
    assert labelled_inputs_only(response.content.decode())


def test_signup_requires_email_confirmation_before_logging_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(
            "/accounts/signup/",
            {"email": "new@example.com", "password1": "a-long-enough-pass", "password2": "a-long-enough-pass"},
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert EmailAddress.objects.get(email="new@example.com").verified is False
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_refuses_a_short_common_password_next_to_the_field(client):
    response = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": "password", "password2": "password"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too short. It must contain at least 10 characters." in html
    assert "This password is too common." in html
    assert 'class="field field-error"' in html
    assert not EmailAddress.objects.filter(email="new@example.com").exists()


def test_unconfirmed_owner_cannot_publish(client):
    therapist = TherapistFactory(draft=True, user__confirmed=False)
    client.force_login(therapist.user)

    response = client.post("/dashboard/profile/publish/", follow=True)

    assert "Confirm your email address before you publish your profile." in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.DRAFT


def test_failed_logins_are_rate_limited_even_with_the_right_password_afterwards(client):
    user = UserFactory(email="anna@example.com")
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-123"})

    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_confirmed_user_logs_in_by_email(client):
    user = UserFactory(email="anna@example.com")

    response = client.post("/accounts/login/", {"login": "ANNA@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.com")

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
        unknown = client.post("/accounts/password/reset/", {"email": "unknown@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    known_page, unknown_page = client.get(known["Location"]), client.get(unknown["Location"])
    assert page_text(known_page) == page_text(unknown_page)
    assert "If an account uses this address" in page_text(known_page)
    # Both addresses get an email; only the known one gets a reset link.
    assert sorted(message.to[0] for message in mail.outbox) == ["known@example.com", "unknown@example.com"]


def test_signup_with_a_registered_email_looks_like_a_new_signup(client):
    UserFactory(email="known@example.com")
    data = {"password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}

    known = client.post("/accounts/signup/", {"email": "known@example.com", **data})
    client.logout()
    new = client.post("/accounts/signup/", {"email": "fresh@example.com", **data})

    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
