"""/readyz: 200 when the database, the cache and (when configured) the broker answer, else 503 naming them."""

import os
from unittest import mock

import pytest
from django.db import OperationalError

from tests.outbox.smtp import refusing_port

pytestmark = pytest.mark.django_db


def test_readyz_answers_ok_without_a_broker(client, settings):
    settings.TASK_BROKER_CONFIGURED = False
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "not configured (tasks run in-process)",
    }
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_the_database_when_it_does_not_answer(client, settings):
    settings.TASK_BROKER_CONFIGURED = False
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["cache"] == "ok"


def test_readyz_names_the_cache_when_redis_is_down(client, settings):
    settings.TASK_BROKER_CONFIGURED = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{refusing_port()}/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["database"] == "ok"


def test_readyz_names_the_broker_when_it_does_not_answer(client, settings):
    settings.TASK_BROKER_CONFIGURED = True
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{refusing_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "unavailable")


@pytest.mark.skipif(not os.environ.get("CELERY_TEST_BROKER_URL"), reason="needs Redis: CELERY_TEST_BROKER_URL")
def test_readyz_answers_ok_with_a_broker_that_answers(client, settings):
    settings.TASK_BROKER_CONFIGURED = True
    settings.CELERY_BROKER_URL = os.environ["CELERY_TEST_BROKER_URL"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_readyz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TASK_BROKER_CONFIGURED = False
    assert client.get("/readyz").status_code == 200
