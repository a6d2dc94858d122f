"""System checks for how the site is deployed.

Rate limits (directory.lib.ratelimit, allauth's login and signup throttles) and sessions live in the
default cache. A per-process cache gives every gunicorn worker its own counters, so with four
workers an attacker gets four times the login attempts: production must share one cache.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}


@register(Tags.caches)
def check_shared_cache(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in SHARED_CACHE_BACKENDS:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1] or 'none'}) is private to each process, so rate "
            "limits and login throttling do not hold across workers or machines.",
            hint="Set REDIS_URL, e.g. redis://127.0.0.1:6379/0.",
            id="directory.W001",
        )
    ]
