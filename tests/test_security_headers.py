"""Every main page, served with the production settings, carries every security header.

The production values are read from directory/settings.py in a subprocess started with a production
environment (DJANGO_DEBUG=false …), then applied to this test run, so these tests check what
production really sends rather than values written out again here.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.checks import run_checks

from tests.factories import TEST_PASSWORD, ReviewFactory, TherapistFactory, UserFactory
from tests.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent
HOST = "directory.example"
SECURITY_SETTINGS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_REDIRECT_EXEMPT",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
]
MAIN_PAGES = ["/", "/therapists/", "PROFILE", "/how-we-rank/", "/accounts/login/", "/api/v1/therapists/", "/healthz"]


@pytest.fixture(scope="module")
def production_values():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("PYTEST_CURRENT_TEST", None)
    code = (
        "import json, directory.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, **PRODUCTION_ENV}, capture_output=True, text=True,
        timeout=60, check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    return production_values


@pytest.fixture
def profile_path(db):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, title="</script><script>alert(1)</script>")
    return therapist.get_absolute_url()


def get(client, path, profile_path):
    return client.get(profile_path if path == "PROFILE" else path, secure=True, HTTP_HOST=HOST)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_production_settings_are_the_hardened_ones(production):
    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_page_sends_every_security_header(client, production, profile_path, path):
    response = get(client, path, profile_path)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "upgrade-insecure-requests" in directives


@pytest.mark.django_db
def test_images_come_from_this_site_and_exactly_the_map_tile_host(client, production, profile_path):
    directives = csp_directives(get(client, "/therapists/", profile_path))
    assert directives["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert directives["connect-src"] == ["'self'"]


def test_a_configured_tile_server_is_the_only_extra_image_host():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    code = "import json, directory.settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    tiles = {**env, **PRODUCTION_ENV, "MAP_TILE_URL": "https://maps.example.net/tiles/{z}/{x}/{y}.png"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=tiles, capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == ["'self'", "data:", "https://maps.example.net"]
    offline = {**env, **PRODUCTION_ENV, "MAP_TILE_URL": ""}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=offline, capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == ["'self'", "data:"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", MAIN_PAGES)
def test_content_security_policy_never_allows_inline_or_eval(client, production, profile_path, path):
    header = get(client, path, profile_path)["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "*" not in header.replace("'self'", "")


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, production):
    response = client.get("/therapists/?q=sports", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/therapists/?q=sports"


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_for_the_load_balancer(client, production):
    response = client.get("/healthz", HTTP_HOST=HOST)
    assert response.status_code == 200


@pytest.mark.django_db
def test_csrf_cookie_is_secure_httponly_and_same_site(client, production):
    response = client.get("/accounts/login/", secure=True, HTTP_HOST=HOST)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_after_login_is_secure_httponly_and_same_site(client, production):
    user = UserFactory()
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}, secure=True, HTTP_HOST=HOST
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_credential_document_may_be_framed_by_this_site_only(client, production, settings):
    from tests.factories import CredentialFactory

    credential = CredentialFactory()
    client.force_login(credential.therapist.user)
    response = client.get(f"/dashboard/credentials/{credential.pk}/document/", secure=True, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert csp_directives(response)["frame-ancestors"] == ["'self'"]


class InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: scripts, style blocks and attributes."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # JSON in a <script> is a data block, never executed (the JSON-LD, the search map's markers).
        data_block = attributes.get("type") in {"application/ld+json", "application/json"}
        if tag == "script" and not data_block and "src" not in attributes:
            self.blocked.append(f"inline <script> {attributes}")
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}={value!r}>")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/therapists/", "PROFILE", "/how-we-rank/", "/accounts/login/", "/accounts/signup/",
     "/accounts/password/reset/", "/nowhere/"],
)
def test_pages_contain_nothing_the_content_security_policy_would_block(client, production, profile_path, path):
    response = get(client, path, profile_path)
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert finder.blocked == []


def test_no_template_carries_inline_script_or_style():
    finder = InlineCodeFinder()
    for template in sorted((ROOT / "templates").rglob("*.html")):
        finder.feed(template.read_text())
    assert finder.blocked == []


def test_system_check_warns_when_production_uses_a_per_process_cache(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    warnings = [message for message in run_checks() if message.id == "directory.W001"]
    assert len(warnings) == 1
    assert "REDIS_URL" in warnings[0].hint


def test_system_check_is_quiet_with_redis_in_production(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert [message for message in run_checks() if message.id == "directory.W001"] == []


def test_system_check_is_quiet_in_development(settings):
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [message for message in run_checks() if message.id == "directory.W001"] == []
