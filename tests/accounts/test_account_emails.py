"""Account emails (allauth) go through the outbox: a row per email, sent after commit, body erased once sent."""

import pytest
from django.core import mail

from outbox.models import Email
from tests.factories import UserFactory
from tests.outbox.smtp import refusing_port

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "new@example.com", "password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}


def test_signup_confirmation_is_sent_through_the_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    email = Email.objects.get()
    assert (email.to, email.kind, email.status) == ("new@example.com", "account.email_confirmation_signup", "sent")
    assert email.body == ""  # the confirmation link does not stay in the database
    [sent] = mail.outbox
    assert sent.to == ["new@example.com"]
    assert sent.subject == email.subject
    assert "/accounts/confirm-email/" in sent.body


def test_password_reset_email_is_sent_through_the_outbox(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    email = Email.objects.get()
    assert (email.to, email.kind, email.status) == (user.email, "account.password_reset_key", "sent")
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_signup_succeeds_when_smtp_is_down_and_the_email_waits_in_the_outbox(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", refusing_port()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    email = Email.objects.get()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
    assert "/accounts/confirm-email/" in email.body  # kept until it is sent
    assert "ConnectionRefusedError" in email.last_error
