"""Emails that could not be delivered, on the moderation home page, and sending one again."""

import pytest
from django.core import mail

from moderation.models import Decision
from outbox.models import Email
from tests.factories import CredentialFactory, EmailFactory
from tests.outbox.smtp import refusing_port
from therapists.models import Credential

pytestmark = pytest.mark.django_db


def test_home_lists_failed_emails_with_their_error(client, moderator):
    failed = EmailFactory(failed=True, to="ana@example.com", subject="Your review was hidden")
    EmailFactory(sent=True, subject="Delivered fine")
    EmailFactory(subject="Still trying")
    client.force_login(moderator)
    response = client.get("/moderation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Emails not delivered" in html
    assert "ana@example.com" in html and "Your review was hidden" in html
    assert "SMTPServerDisconnected" in html
    assert "Delivered fine" not in html and "Still trying" not in html
    assert f'action="/moderation/emails/{failed.pk}/resend/"' in html
    assert response.context["counts"]["failed_emails"] == 1


def test_home_says_so_when_every_email_was_delivered(client, moderator):
    EmailFactory(sent=True)
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    assert "Every email was delivered or is still being tried." in html


def test_home_never_shows_an_email_body(client, moderator):
    EmailFactory(failed=True, body="Reset your password: https://example.com/reset/secret-key/")
    client.force_login(moderator)
    assert "secret-key" not in client.get("/moderation/").content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("client", 403), ("other_therapist", 403), ("owner", 403), ("moderator", 302)],
)
def test_resend_email_permissions(client, login_as, role, status, django_capture_on_commit_callbacks):
    email = EmailFactory(failed=True)
    login_as(client, role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/emails/{email.pk}/resend/")
    assert response.status_code == status
    email.refresh_from_db()
    if role == "moderator":
        assert response["Location"] == "/moderation/"
        assert (email.status, email.attempts) == (Email.Status.SENT, 1)
        assert [message.to for message in mail.outbox] == [[email.to]]
        decision = Decision.objects.get()
        assert (decision.action, decision.target_type, decision.target_id) == ("resend_email", "outbox.email", email.pk)
        assert decision.before["status"] == "failed"
    else:
        assert (email.status, email.attempts) == (Email.Status.FAILED, 8)
        assert mail.outbox == []
        assert not Decision.objects.exists()


@pytest.mark.parametrize("state", ["sent", "queued"])
def test_resend_of_an_email_that_is_not_failed_is_404_and_changes_nothing(client, moderator, state):
    email = EmailFactory(sent=True) if state == "sent" else EmailFactory()
    client.force_login(moderator)
    assert client.post(f"/moderation/emails/{email.pk}/resend/").status_code == 404
    refreshed = Email.objects.get(pk=email.pk)
    assert (refreshed.status, refreshed.attempts) == (email.status, email.attempts)


def test_resend_is_post_only(client, moderator):
    email = EmailFactory(failed=True)
    client.force_login(moderator)
    assert client.get(f"/moderation/emails/{email.pk}/resend/").status_code == 405


def test_decision_writes_its_email_row_in_the_same_transaction(client, moderator):
    """Inside the test's transaction (no commit): the row exists, nothing is sent yet."""
    credential = CredentialFactory()
    client.force_login(moderator)
    response = client.post(f"/moderation/credentials/{credential.pk}/verify/", {"expires_on": ""})
    assert response.status_code == 302
    email = Email.objects.get()
    assert (email.to, email.kind, email.status) == (
        credential.therapist.user.email,
        "moderation.credential_verified",
        Email.Status.QUEUED,
    )
    assert mail.outbox == []


def test_decision_succeeds_when_smtp_is_down(client, moderator, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", refusing_port()
    credential = CredentialFactory()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/credentials/{credential.pk}/verify/", {"expires_on": ""}, follow=True)
    assert response.status_code == 200
    assert "Verified:" in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    email = Email.objects.get()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
    assert "ConnectionRefusedError" in email.last_error
