"""Logins: one password hash whatever the answer, the admin behind the site's throttled login,
a stranger cannot lock an account out, signup costs the same for known and new emails, and
patterned passwords are refused. (Issue 13, items 6, 7, 12 and 15.)
"""

import itertools
import statistics
import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import RequestFactory

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TRIES = 20
TOLERANCE = 0.25
TOO_MANY = "Too many failed login attempts"


class TimingHasher(PBKDF2PasswordHasher):
    """Real PBKDF2, with fewer iterations than production so 40 hashes take about a second.

    Still far costlier than everything else a login or signup does, so a request that hashes
    twice (or not at all) shows up in the medians as it would in production.
    """

    iterations = 60_000


class SignupTimingHasher(PBKDF2PasswordHasher):
    """A quarter of production's 1,000,000 iterations: a signup also writes rows and an email, which
    production's hash (about 0.4 s here) dwarfs; at 60,000 iterations those 30 ms would not be."""

    iterations = 250_000


@pytest.fixture
def real_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_login_security.TimingHasher"]


@pytest.fixture
def signup_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_login_security.SignupTimingHasher"]


def interleaved_medians(first, second) -> tuple[float, float]:
    """Medians of TRIES runs of `first` and of `second`, alternated so load on the machine hits both."""
    a, b = [], []
    for index in range(TRIES):
        for action, times in ((first, a), (second, b)):
            started = time.perf_counter()
            action(index)
            times.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def assert_same_cost(first, second, attempts: int = 3) -> None:
    """The medians are within TOLERANCE of each other in one of `attempts` measurements.

    A second try only forgives a burst of load from another process on a shared machine; a real
    difference (a second hash doubles the time, a missing one cuts it to a tenth) fails every try.
    """
    seen = []
    for _ in range(attempts):
        a, b = interleaved_medians(first, second)
        if abs(a - b) <= TOLERANCE * max(a, b):
            return
        seen.append(f"{a * 1000:.1f} ms vs {b * 1000:.1f} ms")
    pytest.fail("medians differ by more than 25 %: " + "; ".join(seen))


def test_right_wrong_and_unknown_passwords_cost_one_hash_each(real_hashing):
    user = User.objects.create_user(email="timed@example.com", password=TEST_PASSWORD)
    request = RequestFactory().post("/accounts/login/")

    def attempt(password, email=user.email):
        return lambda _: authenticate(request, email=email, password=password)

    assert authenticate(request, email=user.email, password=TEST_PASSWORD) == user
    assert_same_cost(attempt(TEST_PASSWORD), attempt("a-wrong-guess-1234"))
    assert_same_cost(attempt(TEST_PASSWORD), attempt("a-wrong-guess-1234", "nobody@example.com"))


def test_signup_costs_the_same_for_a_known_and_a_new_email(client, signup_hashing, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1000/m/ip"}
    UserFactory(email="known@example.com")
    data = {"password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}

    def known(_):
        response = client.post("/accounts/signup/", {"email": "known@example.com", **data})
        assert response.status_code == 302
        client.logout()

    fresh = itertools.count()

    def new(_):
        response = client.post("/accounts/signup/", {"email": f"fresh{next(fresh)}@example.com", **data})
        assert response.status_code == 302
        client.logout()

    assert_same_cost(known, new, attempts=2)
    assert User.objects.filter(email__startswith="fresh").count() >= TRIES


def test_a_stranger_cannot_lock_the_owner_out(client, settings):
    victim = UserFactory(email="moderator@example.com", moderator=True)
    for _ in range(8):
        client.post("/accounts/login/", {"login": victim.email, "password": "a-wrong-guess"},
                    REMOTE_ADDR="203.0.113.9")

    # The stranger's own guesses are throttled …
    refused = client.post("/accounts/login/", {"login": victim.email, "password": TEST_PASSWORD},
                          REMOTE_ADDR="203.0.113.9")
    assert TOO_MANY in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # … while the owner, from their own address, still signs in.
    owner = client.post("/accounts/login/", {"login": victim.email, "password": TEST_PASSWORD},
                        REMOTE_ADDR="198.51.100.4")
    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_one_address_guessing_at_many_accounts_is_stopped_per_ip(client):
    users = [UserFactory() for _ in range(12)]
    pages = [
        client.post("/accounts/login/", {"login": user.email, "password": "a-wrong-guess"}, REMOTE_ADDR="203.0.113.7")
        for user in users
    ]
    # 10 failed logins a minute per address (ACCOUNT_RATE_LIMITS["login_failed"]).
    assert [TOO_MANY in page.content.decode() for page in pages] == [False] * 10 + [True] * 2


@pytest.mark.parametrize("password", ["passwordpassword", "abcabcabcabc", "qwertyqwerty", "xxxxxxxxxxxx",
                                      "Summer2026Summer2026"])
def test_signup_refuses_a_repeated_pattern(client, password):
    response = client.post("/accounts/signup/", {"email": "new@example.com", "password1": password,
                                                 "password2": password})

    assert response.status_code == 200
    assert "one short piece repeated" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_password_that_only_contains_a_repeat_is_accepted(client):
    response = client.post("/accounts/signup/", {"email": "new@example.com", "password1": "passwordpassword-7Kq",
                                                 "password2": "passwordpassword-7Kq"})
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


# --- the admin login ---------------------------------------------------------------------------


def test_admin_login_sends_everyone_to_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # The admin's own form is never served: posting to it authenticates nobody.
    staff = UserFactory(is_staff=True, is_superuser=True)
    posted = client.post("/admin/login/", {"username": staff.email, "password": TEST_PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_index_for_a_visitor_goes_through_the_site_login(client):
    first = client.get("/admin/")
    assert first.status_code == 302
    second = client.get(first["Location"])
    assert second["Location"].startswith("/accounts/login/?next=")


def test_admin_login_does_not_follow_a_foreign_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_staff_signed_in_at_the_site_login_reach_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    login = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": TEST_PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["client", "moderator"])
def test_signed_in_non_staff_get_a_staff_only_page_not_a_loop(client, role):
    client.force_login(UserFactory(moderator=role == "moderator"))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "for staff" in response.content.decode()
    assert len(response.redirect_chain) == 1


def test_the_admin_is_behind_the_failed_login_throttle(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": "a-wrong-guess"})
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": TEST_PASSWORD})
    assert TOO_MANY in response.content.decode()
    assert client.get("/admin/").status_code == 302
