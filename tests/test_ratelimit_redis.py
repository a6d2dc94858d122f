"""The login limits hold across two gunicorn workers, because both count in one Redis.

With a per-process cache each worker would keep its own counters and let through twice the
attempts. Runs only where REDIS_URL is set (CI's PostgreSQL run, `make test-postgres`). The server
uses the test run's own Redis database (REDIS_URL), which it empties first: every test empties it
anyway (tests/conftest.py), and a fixed database shared by every checkout on the machine let one
run's flush reset another run's counters mid-test.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import redis

from tests.gunicorn_server import base_env, csrf_pair, gunicorn, manage, request, worker_pids

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL (CI's PostgreSQL run does)")

VICTIM = "victim@example.com"
STAFF = "staff@example.com"
ATTEMPTS = 40
LOGIN_LIMIT = 30  # ACCOUNT_RATE_LIMITS["login"] = "30/m/ip"
FAILED_LOGIN_KEY_LIMIT = 5  # ACCOUNT_RATE_LIMITS["login_failed"] = "…,5/5m/key"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def site(tmp_path):
    server_redis = REDIS_URL
    redis.Redis.from_url(server_redis).flushdb()
    env = base_env(tmp_path / "site.sqlite3", REDIS_URL=server_redis)
    manage("migrate", "--noinput", env=env)
    manage(
        "shell", "-c",
        "from accounts.models import User; "
        f"User.objects.create_user(email={VICTIM!r}, password='the-real-pass-2026'); "
        f"User.objects.create_superuser(email={STAFF!r}, password='the-real-pass-2026')",
        env=env,
    )
    access_log = tmp_path / "access.log"
    with gunicorn(env, workers=2, access_log=access_log) as port:
        yield port, access_log
    redis.Redis.from_url(server_redis).flushdb()


def test_settings_still_use_the_limits_this_test_counts_on(settings):
    assert settings.ACCOUNT_RATE_LIMITS["login"] == f"{LOGIN_LIMIT}/m/ip"
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"].endswith(f",{FAILED_LOGIN_KEY_LIMIT}/5m/key")


def test_login_limits_hold_across_two_gunicorn_workers(site):
    port, access_log = site
    cookie, token = csrf_pair(port, "/accounts/login/")
    body = urlencode({"csrfmiddlewaretoken": token, "login": VICTIM, "password": "a-wrong-guess"})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}

    # Four at a time, each on a new connection: both workers serve, and they count concurrently.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: request(port, "POST", "/accounts/login/", body, headers), range(ATTEMPTS)))

    statuses = [status for status, _, _ in results]
    assert len(worker_pids(access_log, "POST", "/accounts/login/")) == 2, "only one worker served: proves nothing"
    assert statuses.count(429) == ATTEMPTS - LOGIN_LIMIT
    assert statuses.count(200) == LOGIN_LIMIT
    answered = [page for status, _, page in results if status == 200]
    # Only the first five guesses were checked against the password at all; the rest were refused unread.
    assert sum(TOO_MANY not in page for page in answered) == FAILED_LOGIN_KEY_LIMIT
    assert all("Traceback" not in page for _, _, page in results)


def test_the_right_password_is_refused_once_the_account_is_throttled(site):
    port, _ = site
    cookie, token = csrf_pair(port, "/accounts/login/")
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    guess = urlencode({"csrfmiddlewaretoken": token, "login": VICTIM, "password": "a-wrong-guess"})
    for _ in range(FAILED_LOGIN_KEY_LIMIT):
        request(port, "POST", "/accounts/login/", guess, headers)

    right = urlencode({"csrfmiddlewaretoken": token, "login": VICTIM, "password": "the-real-pass-2026"})
    status, response_headers, page = request(port, "POST", "/accounts/login/", right, headers)

    assert status == 200
    assert TOO_MANY in page
    assert not any(name.lower() == "set-cookie" and value.startswith("sessionid=") for name, value in response_headers)


def test_the_admin_login_is_throttled_like_the_site_login_across_two_gunicorn_workers(site):
    """The probe's attack: 40 wrong passwords at /admin/login/ were all checked. Now that URL checks
    none (it sends to the site login), and there the staff account gets five guesses in all."""
    port, access_log = site
    cookie, token = csrf_pair(port, "/accounts/login/")
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    admin_form = urlencode({"csrfmiddlewaretoken": token, "username": STAFF, "password": "a-wrong-guess"})
    site_form = urlencode({"csrfmiddlewaretoken": token, "login": STAFF, "password": "a-wrong-guess"})

    with ThreadPoolExecutor(max_workers=4) as pool:
        admin = list(pool.map(lambda _: request(port, "POST", "/admin/login/", admin_form, headers), range(ATTEMPTS)))
        login = list(
            pool.map(lambda _: request(port, "POST", "/accounts/login/?next=/admin/", site_form, headers), range(20))
        )

    assert {status for status, _, _ in admin} == {302}
    locations = [dict(response_headers)["Location"] for _, response_headers, _ in admin]
    assert all(location.startswith("/accounts/login/?next=") for location in locations)
    assert len(worker_pids(access_log, "POST", "/admin/login/")) == 2, "only one worker served: proves nothing"
    answered = [page for status, _, page in login if status == 200]
    assert len(answered) == 20
    assert sum(TOO_MANY not in page for page in answered) == FAILED_LOGIN_KEY_LIMIT

    right = urlencode({"csrfmiddlewaretoken": token, "login": STAFF, "password": "the-real-pass-2026"})
    status, response_headers, page = request(port, "POST", "/accounts/login/?next=/admin/", right, headers)
    assert status == 200 and TOO_MANY in page
    assert not any(name.lower() == "set-cookie" and value.startswith("sessionid=") for name, value in response_headers)
