"""The request body limit, HEAD, one-line logs of refused requests and links built from
DJANGO_SITE_URL (issue 13, items 8 and 15). The same limit against a real gunicorn and a 300 MB
body is in tests/test_gunicorn_limits.py.
"""

import logging
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.module_loading import import_string

from directory.middleware import BODY_LIMITS_BY_URL_NAME, DEFAULT_BODY_LIMIT, MB, body_limit_for
from tests.factories import TEST_PASSWORD, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_upload_url_accepts_its_largest_upload_and_no_more():
    assert body_limit_for("/dashboard/photo/") == BODY_LIMITS_BY_URL_NAME["dashboard:photo"]
    assert 5 * MB < body_limit_for("/dashboard/photo/") < 6 * MB
    assert 10 * MB < body_limit_for("/dashboard/credentials/new/") < 11 * MB
    assert 10 * MB < body_limit_for("/dashboard/credentials/12/") < 11 * MB
    for path in ["/accounts/login/", "/accounts/signup/", "/dashboard/profile/", "/therapists/x/review/", "/nowhere/"]:
        assert body_limit_for(path) == DEFAULT_BODY_LIMIT


def test_a_large_file_posted_to_the_login_page_is_refused_before_it_is_parsed(client, monkeypatch):
    parsed = []
    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", lambda self: parsed.append(1))
    user = UserFactory()
    big = SimpleUploadedFile("big.bin", b"\0" * (2 * MB))

    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD, "file": big})

    assert response.status_code == 413
    assert "too large" in response.content.decode() and "at most 1 MB" in response.content.decode()
    assert '<main id="main"' in response.content.decode()
    assert parsed == []
    assert "_auth_user_id" not in client.session


def test_a_photo_over_the_url_limit_is_refused_and_changes_nothing(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)
    response = client.post("/dashboard/photo/", {"photo": SimpleUploadedFile("p.jpg", b"\xff\xd8" + b"\0" * 6 * MB)})
    assert response.status_code == 413
    assert "at most 5 MB" in response.content.decode()
    therapist.refresh_from_db()
    assert not therapist.photo


def test_a_normal_login_is_under_the_limit(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/", "/therapists/", "/healthz", "/how-we-rank/", "profile"])
def test_head_is_answered_like_get(client, path):
    if path == "profile":
        path = TherapistFactory().get_absolute_url()
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def request_log(settings):
    """What the console handler of settings.LOGGING would print for django.request."""
    handler = Collect()
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(settings.LOGGING["filters"][name]["()"])())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.parametrize(("role", "path", "status"), [("client", "/moderation/", 403), ("client", "/nowhere/", 404)])
def test_a_refused_request_is_logged_in_one_line(client, request_log, role, path, status):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == status
    assert request_log, "the refusal is still logged"
    assert all("\n" not in line and "Traceback" not in line for line in request_log), request_log


def test_server_errors_keep_their_traceback():
    from directory.log_filters import ClientErrorsInOneLine

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    record.status_code = 500
    assert ClientErrorsInOneLine().filter(record)
    assert record.exc_info is not None


def test_the_console_handler_carries_the_one_line_filter(settings):
    assert "client_errors_in_one_line" in settings.LOGGING["handlers"]["console"]["filters"]


def reset_link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)


def test_password_reset_link_never_follows_the_request_host_port(client, settings, django_capture_on_commit_callbacks):
    # The development default of DJANGO_SITE_URL, while the request names another port.
    settings.SITE_URL = "http://127.0.0.1:8000"
    UserFactory(email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "anna@example.com"}, HTTP_HOST="localhost:9999")
    assert reset_link(mail.outbox[0]).startswith("http://127.0.0.1:8000/accounts/password/reset/key/")
    assert "9999" not in mail.outbox[0].body


def test_password_reset_link_is_built_from_the_site_url(client, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://directory.example"
    UserFactory(email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "anna@example.com"}, HTTP_HOST="localhost:9999")
    link = reset_link(mail.outbox[0])
    assert link.startswith("https://directory.example/accounts/password/reset/key/")
    assert "9999" not in mail.outbox[0].body
    assert "directory.example" in mail.outbox[0].subject + mail.outbox[0].body.split("\n")[0]


def test_signup_confirmation_and_already_exists_mails_use_the_site_url(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://directory.example"
    UserFactory(email="known@example.com")
    data = {"password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "new@example.com", **data}, HTTP_HOST="localhost:9999")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "known@example.com", **data}, HTTP_HOST="localhost:9999")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        links = re.findall(r"https?://\S+", message.body)
        assert links and all(link.startswith("https://directory.example/") for link in links), links
