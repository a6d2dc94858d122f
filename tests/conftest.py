import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage

from directory.lib import ratelimit
from tests.factories import TherapistFactory, UserFactory
from tests.permissions import log_in
from therapists.models import private_storage


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path, monkeypatch):
    """Fast hashing, in-memory mail and a throwaway media folder for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": "/private-not-served/"},
        },
    }
    # A FileField calls its storage callable once, at import; point every private one at the
    # throwaway folder too, or test documents land in the real PRIVATE_MEDIA_ROOT.
    private = FileSystemStorage(location=tmp_path / "private", base_url="/private-not-served/")
    for field in private_file_fields():
        monkeypatch.setattr(field, "storage", private)


def private_file_fields():
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "_storage_callable", None) is private_storage
    ]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run in-process right after commit, as with no broker configured, even when REDIS_URL is set.

    tests/outbox/test_worker.py turns this off and starts real workers.
    """
    from directory.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _ratelimit_clock_mid_window(monkeypatch):
    """directory.ratelimit counts in fixed windows of wall-clock time: a test that made its hits
    across a window edge (a minute or an hour turning) saw the counter start again and failed.
    Each test runs at one instant in the middle of a day; tests of the windows move it themselves."""
    instant = (time.time() // 86400) * 86400 + 43200.5
    # ratelimit's own reference to the clock only: the time module itself keeps running for
    # everything else (cache expiry, allauth's throttles, sessions).
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: instant))


@pytest.fixture
def client_user(db):
    return UserFactory()


@pytest.fixture
def therapist(db):
    return TherapistFactory()


@pytest.fixture
def moderator(db):
    return UserFactory(moderator=True)


@pytest.fixture
def login_as(db):
    """login_as(client, role, owner=therapist, review=review): tests/permissions.py, for every app."""
    return log_in


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL; on SQLite they skip with the reason."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (CI runs it with DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
