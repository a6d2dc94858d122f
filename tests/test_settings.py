"""Start-up configuration: bad environment variables stop the process with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from directory.settings import DEVELOPMENT_SECRET_KEY, env_bool, env_database

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-real-secret-key-for-tests-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "directory.example",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def run_manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    base.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DATABASE_URL": "sqlite:///var/settings-test.sqlite3", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_development_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_missing_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false."


def test_malformed_database_url_names_the_variable_without_a_traceback():
    result = run_manage("check", env={"DATABASE_URL": "mysql//nonsense"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_passes_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        ("postgres://app:s%40cret@db.internal:6543/directory", "django.db.backends.postgresql", "directory"),
        ("sqlite:///var/db.sqlite3", "django.db.backends.sqlite3", str(ROOT / "var" / "db.sqlite3")),
        ("sqlite:////tmp/abs.sqlite3", "django.db.backends.sqlite3", "/tmp/abs.sqlite3"),
    ],
)
def test_env_database_parses_urls(monkeypatch, url, engine, name):
    monkeypatch.setenv("TEST_DB_URL", url)
    config = env_database("TEST_DB_URL", "sqlite:///unused")
    assert config["ENGINE"] == engine
    assert config["NAME"] == name
    if engine.endswith("postgresql"):
        assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
            "app", "s@cret", "db.internal", "6543"
        )


@pytest.mark.parametrize("url", ["postgres://host-only", "redis://x/1", "postgres://h:notaport/db", "sqlite://"])
def test_env_database_rejects_bad_urls(monkeypatch, url):
    monkeypatch.setenv("TEST_DB_URL", url)
    with pytest.raises(ImproperlyConfigured, match="TEST_DB_URL"):
        env_database("TEST_DB_URL", "sqlite:///unused")


def test_env_bool_refuses_anything_but_a_boolean(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)
    monkeypatch.setenv("FLAG", "False")
    assert env_bool("FLAG", True) is False


def test_production_refuses_a_per_process_cache_in_one_line():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = run_manage("check", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: REDIS_URL must be set when DJANGO_DEBUG is false")
    assert "DJANGO_ALLOW_LOCAL_CACHE=true" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_runs_on_a_local_cache_only_when_told_to_on_purpose():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = run_manage("check", env={**env, "DJANGO_ALLOW_LOCAL_CACHE": "true"})
    assert result.returncode == 0, result.stderr
    # The system check still says what that costs.
    assert "directory.W001" in result.stderr + result.stdout


@pytest.mark.parametrize("value", ["directory.example", "ftp://directory.example", "https://"])
def test_a_malformed_site_url_names_the_variable(value):
    result = run_manage("check", env={"DJANGO_SITE_URL": value})
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: DJANGO_SITE_URL must look like https://")
