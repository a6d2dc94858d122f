"""The one settings module. Everything that differs between machines comes from the environment.

Defaults run on SQLite with debug on and need no configuration. See README.md for the variables.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Only ever used with DJANGO_DEBUG on; production refuses it at start-up.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Parse a DATABASE_URL: sqlite:///relative/or//absolute/path or postgres://user:pass@host:port/db."""
    url = os.environ.get(name) or default
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid URL ({error}).") from None
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} must name a file: sqlite:///db.sqlite3.")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if Path(path).is_absolute() else str(BASE_DIR / path),
            "OPTIONS": {
                # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database or not parts.hostname:
            raise ImproperlyConfigured(f"{name} must look like postgres://user:password@host:5432/database.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": str(port or 5432),
            # Persistent connections, checked before reuse so a restarted server is survived.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"{name} must start with sqlite:// or postgres://, not {parts.scheme or url!r}.")


DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("DJANGO_TESTING", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the development key or shorter than 40 characters; set a real secret."
    )

# The public address of the site: links in what leaves it without a request (the HSDS export) and
# links in emails (password reset, confirmation), so those never follow the request's Host header
# (whose port ALLOWED_HOSTS does not check).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"DJANGO_SITE_URL must look like https://directory.example, not {SITE_URL!r}.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "csp",
    "accounts",
    "registers",
    "therapists",
    "appointments",
    "reviews",
    "moderation",
    "opendata",
    "privacy",
    "outbox",
    "directory",
]

DATABASES = {"default": env_database("DATABASE_URL", "sqlite:///db.sqlite3")}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    # First: refuses an oversized body before anything (CSRF, sessions, a form) can read it.
    "directory.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "directory.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moderation.context_processors.moderation",
                "appointments.context_processors.appointments",
            ],
        },
    }
]
if not DEBUG:
    # The cached loader parses each template once per process.
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        )
    ]

AUTH_USER_MODEL = "accounts.User"
# One backend, so a wrong password costs one hash like a right one: with Django's ModelBackend in
# front, a wrong password was hashed by both backends and a right one by the first only, which made
# the answer time a password oracle. allauth's backend subclasses ModelBackend (permissions work), and
# hashes a throwaway password for an unknown email, so unknown accounts cost the same too.
# allauth's backend, whose get_user also reads the user's roles (accounts/backends.py). Sessions made
# under allauth's own path before this were logged out once when it changed.
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.RepeatedPatternValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: accounts by email only, confirmation required before reviewing or publishing.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # its emails go through the outbox
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Therapist directory] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Throttles live in the cache, so with REDIS_URL they hold across every worker and machine.
# login_failed's "key" is the account *and* the client address (accounts.adapter), so a stranger's
# guesses use up their own allowance and cannot lock the owner out; the per-IP limits stop one
# address from guessing at many accounts. SECURITY.md lists these limits.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,30/h/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Credential documents: never under MEDIA_ROOT, never served by URL; only through a checked view.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
OPEN_DATA_ROOT = Path(os.environ.get("DJANGO_OPEN_DATA_ROOT", BASE_DIR / "var" / "open-data"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/private-not-served/"},
    },
    # The daily HSDS export served on /open-data/ (opendata/export.py). With several app servers this
    # folder must be shared (a volume), or swap in an object-storage backend here.
    "opendata": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": OPEN_DATA_ROOT}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: photos at most 5 MB, documents 10 MB. directory.middleware refuses a body larger than the
# URL's own limit (REQUEST_BODY_LIMITS) before anything reads it; Django's own caps are the backstop.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_PERMISSIONS = 0o640
# A licensing board's register file (import_register): refused before it is read above this size.
# Texas' whole licence file, 720,000 rows, is about 200 MB.
REGISTER_IMPORT_MAX_BYTES = env_int("REGISTER_IMPORT_MAX_MB", 1024) * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Rate limits, login throttles, the public page cache and its invalidation all live in the default
# cache. A per-process cache under gunicorn gives each worker its own: limits multiply by the worker
# count and a suspended profile stays visible in the other workers' caches. Production refuses it
# unless someone says on purpose that only one process will ever serve.
ALLOW_LOCAL_CACHE = env_bool("DJANGO_ALLOW_LOCAL_CACHE", False)
if not DEBUG and not REDIS_URL and not ALLOW_LOCAL_CACHE:
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DJANGO_DEBUG is false (a per-process cache breaks rate limits across "
        "workers); set DJANGO_ALLOW_LOCAL_CACHE=true only if a single process serves the site."
    )
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Read from Redis, written through to the database: a Redis restart or eviction logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Per-process memory: fine for one development server; production sets REDIS_URL (see the
    # directory.checks warning) so rate limits hold across workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Therapist directory <noreply@localhost>")
# Seconds an SMTP operation may block; the outbox's claim outlives the send task's time limit, which
# outlives this (see OUTBOX_CLAIM_SECONDS below).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Celery on Redis (directory/celery.py). The broker defaults to REDIS_URL; with neither set, tasks
# are eager: they run in-process when queued, i.e. right after the transaction commits.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL
TASK_BROKER_CONFIGURED = bool(CELERY_BROKER_URL)
if TASK_BROKER_CONFIGURED and urlsplit(CELERY_BROKER_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be a Redis URL (redis://host:6379/1), not another broker.")
if not TASK_BROKER_CONFIGURED:
    CELERY_BROKER_URL = "memory://"  # never used: eager tasks do not touch the broker
CELERY_TASK_ALWAYS_EAGER = not TASK_BROKER_CONFIGURED
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or (
    CELERY_BROKER_URL if TASK_BROKER_CONFIGURED else None
)
# Nothing reads task results (the outbox row is the record), so none are stored unless a task asks.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 24 * 3600
# A task is acknowledged when it finishes, not when it is received: a worker killed mid-task leaves
# its message to be delivered again (after the visibility timeout) instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacknowledged messages older than this are handed to another worker.
    "visibility_timeout": visibility_timeout,
    # Workers look for such messages this often. kombu's default scans only every 10th 10-second tick
    # (100 s), which would let a short visibility timeout wait far longer than it says.
    "unacked_restore_interval": max(1, min(10, visibility_timeout // 5)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing happens on the request path (after commit): give up quickly when Redis is down; the
# outbox sweep sends what could not be queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "outbox.tasks.sweep_outbox", "schedule": env_int("OUTBOX_SWEEP_EVERY_SECONDS", 120)},
    # Expiry is by date: just after midnight (TIME_ZONE), so a credential stops counting on the day it lapses.
    "expire-credentials": {"task": "moderation.tasks.expire_credentials", "schedule": crontab(hour=0, minute=5)},
    "recheck-licences": {"task": "moderation.tasks.recheck_licences", "schedule": crontab(hour=0, minute=20)},
    "recompute-scores": {"task": "therapists.tasks.recompute_scores", "schedule": crontab(hour=3, minute=0)},
    # Photos whose resize message was lost (therapists.photos.RESUME_AFTER).
    "resume-pending-photos": {"task": "therapists.photos.resume_pending_photos", "schedule": 5 * 60},
    # Removed reviews are kept for reviews.rules.RETENTION (ISO 20488: at least a year), then their text goes.
    "erase-expired-reviews": {"task": "reviews.tasks.erase_expired_reviews", "schedule": crontab(hour=2, minute=30)},
    # Appointments: the 24-hour reminder (every quarter hour, so it goes 24 h to 23¾ h before), requests
    # whose proposed times all passed, and the safety answers 30 days after the visit.
    "appointment-reminders": {"task": "appointments.tasks.send_reminders", "schedule": 15 * 60},
    "expire-appointment-requests": {"task": "appointments.tasks.expire_requests", "schedule": 60 * 60},
    "erase-health-answers": {"task": "appointments.tasks.erase_health_answers", "schedule": crontab(hour=2, minute=30)},
    # Retention (issue 23; /privacy/ states each period from the same constants): download links and their
    # archives (privacy.models.EXPORT_LINK_VALID), and accounts never confirmed (accounts.UNCONFIRMED_ACCOUNT_KEPT).
    "sweep-data-exports": {"task": "privacy.tasks.sweep_exports", "schedule": 60 * 60},
    "erase-unconfirmed-accounts": {
        "task": "privacy.tasks.erase_unconfirmed_accounts",
        "schedule": crontab(hour=2, minute=45),
    },
    # After the scores and expiries, so the open data carries the day's verified credentials.
    "publish-hsds-export": {"task": "opendata.tasks.publish_export", "schedule": crontab(hour=4, minute=0)},
}

# The email outbox (outbox/): how often a row is tried, how long between tries, when it is swept.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
# A claimed row whose sender went silent this long is free again. Longer than the send task's hard
# time limit (which is shorter than this by design), so a live sender never loses its claim.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 600)
# The sweep re-queues rows due for this long that nobody sent: a process died between commit and
# enqueue, Redis was down, or a retry message was lost.
OUTBOX_SWEEP_AFTER_SECONDS = env_int("OUTBOX_SWEEP_AFTER_SECONDS", 180)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 30)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_THROTTLE_RATE", "600/minute")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Therapist directory API",
    "DESCRIPTION": "Read-only search over published massage and manual therapists, ranked by qualification.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "directory.lib.openapi.allow_empty_query_values",
        "directory.lib.openapi.document_server_refusals",
    ],
}

# Security headers. Production values are the defaults; debug relaxes only what needs HTTPS.
# SECURITY.md says what each one protects; tests/test_security_headers.py checks them on every main page.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF token from the cookie (forms carry it), so scripts need not see it either.
CSRF_COOKIE_HTTPONLY = True
# A refused form gets the site's own page, saying what happened and leading back to the form.
CSRF_FAILURE_VIEW = "directory.lib.errors.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy REMOTE_ADDR is the proxy itself: without this every visitor would share one
# per-IP login/signup limit. The client address is the last one the proxy appended to X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1 if BEHIND_PROXY else 0)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The search page's map tiles. OpenStreetMap's own tile server by default in production (its usage
# policy asks for light use and the attribution below); none in development, tests and offline
# use, where the map shows its markers on a plain background and no request leaves the machine.
# Set MAP_TILE_URL to a provider of your own ("{z}/{x}/{y}" placeholders), or to "" for none.
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "" if DEBUG else OSM_TILE_URL).strip()
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors" if MAP_TILE_URL == OSM_TILE_URL else ""
)
if MAP_TILE_URL:
    _tiles = urlsplit(MAP_TILE_URL)
    if _tiles.scheme != "https" or not _tiles.hostname or "{" in _tiles.hostname:
        raise ImproperlyConfigured("MAP_TILE_URL must be an https:// URL on one host, such as " + OSM_TILE_URL)
    MAP_TILE_ORIGIN = f"https://{_tiles.netloc}"
else:
    MAP_TILE_ORIGIN = ""

# No inline script or style anywhere: the only inline <script> elements are data blocks (the JSON-LD,
# the search map's markers), which browsers never execute.
# Images from this site and, when a map tile server is configured, from exactly its host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        # The moderation page frames a credential document from this site, nothing else.
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404, 413, …) is one line: its traceback says nothing an operator needs.
    "filters": {"client_errors_in_one_line": {"()": "directory.log_filters.ClientErrorsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_in_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Your data (issue 23), per user in the shared cache: archives asked for per day, and deletion attempts
# (each checks the password, so this also bounds password guessing from a stolen session).
DATA_EXPORT_RATE_LIMIT = os.environ.get("DATA_EXPORT_RATE_LIMIT", "5/d")
ACCOUNT_DELETE_RATE_LIMIT = os.environ.get("ACCOUNT_DELETE_RATE_LIMIT", "5/h")

# Who runs the site, printed on /imprint/ and /privacy/ (the controller under the GDPR). Set these in
# production; the defaults only say that they are missing.
SITE_OPERATOR = {
    "name": os.environ.get("SITE_OPERATOR_NAME", "Qualified Touch (operator not configured)"),
    # Lines separated by "|": "Musterstraße 1|10115 Berlin|Germany".
    "address": [line.strip() for line in os.environ.get("SITE_OPERATOR_ADDRESS", "").split("|") if line.strip()],
    "email": os.environ.get("SITE_CONTACT_EMAIL", "contact@localhost"),
    "privacy_email": os.environ.get("SITE_PRIVACY_EMAIL", "")
    or os.environ.get("SITE_CONTACT_EMAIL", "privacy@localhost"),
    "phone": os.environ.get("SITE_OPERATOR_PHONE", ""),
    "representative": os.environ.get("SITE_OPERATOR_REPRESENTATIVE", ""),
    "register": os.environ.get("SITE_OPERATOR_REGISTER", ""),
    "vat_id": os.environ.get("SITE_OPERATOR_VAT_ID", ""),
    "supervisory_authority": os.environ.get("SITE_SUPERVISORY_AUTHORITY", ""),
}

# Review posting limit per user, stored in the shared cache.
REVIEW_RATE_LIMIT = os.environ.get("REVIEW_RATE_LIMIT", "10/h")
# Photo and credential-document uploads per user (each one is decoded), stored in the shared cache.
UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "20/h")

# Browser features no page uses, switched off for this site and anything it could ever frame;
# geolocation for this origin only (the search page's "near me").
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(self), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Appointment requests per client: open at once (database) and sent per day (shared cache and database).
APPOINTMENT_OPEN_REQUEST_LIMIT = env_int("APPOINTMENT_OPEN_REQUEST_LIMIT", 5)
APPOINTMENT_DAILY_REQUEST_LIMIT = env_int("APPOINTMENT_DAILY_REQUEST_LIMIT", 20)

# Moves appointments.clock forward, to walk through a booking in minutes (development and tests only).
CLOCK_OFFSET = timedelta(seconds=env_int("DJANGO_CLOCK_OFFSET_SECONDS", 0))
if CLOCK_OFFSET and not DEBUG:
    raise ImproperlyConfigured("DJANGO_CLOCK_OFFSET_SECONDS moves the clock and is for development only; unset it.")
