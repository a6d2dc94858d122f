"""Whole pages for visitors who are not logged in, kept a few seconds in the shared cache.

At 100,000 therapists the SQL of a search page takes about a millisecond, and rendering twenty
result cards and the filter form takes the other 25 (bench/RESULTS.md). Every anonymous visitor
gets the same page for the same URL, so it is rendered once per PUBLIC_PAGE_SECONDS.

Never across users: a request that carries a session or flash-message cookie is rendered for
itself and not stored, and a response that sets a cookie is not stored either. So a logged-in
user always sees a fresh page (their own new review at once).

Never stale after a change: every key carries a generation number, and every service that changes
what visitors see calls invalidate_public_pages_on_commit() itself (no model signal does it behind
its back), so a suspended profile or a review hidden for private information disappears for visitors
at once, not PUBLIC_PAGE_SECONDS later. tests/test_public_page_cache.py holds one test per service.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PUBLIC_PAGE_SECONDS = 30
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
GENERATION_KEY = "public-page-generation"
# "hit" or "miss" on every answer the visitor cache could hold (none on a personal page): what the
# benchmark counts (bench/traffic.py), and what anyone can read with curl -I. It says nothing private.
CACHE_HEADER = "X-Cache"


def invalidate_public_pages() -> None:
    """Drop every cached visitor page and API answer, in every worker (the counter is shared)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 1, timeout=None)


def invalidate_public_pages_on_commit() -> None:
    # After commit: a page rebuilt between the write and its commit would cache the old rows.
    transaction.on_commit(invalidate_public_pages)


def public_cache_key(request, prefix: str = "public-page") -> str | None:
    """The cache key of this request's page, or None when the request is personal."""
    if request.method not in ("GET", "HEAD") or any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return None
    generation = cache.get(GENERATION_KEY, 0)
    return f"{prefix}:{generation}:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def cache_public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = public_cache_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        response = cache.get(key)
        if response is not None:
            response[CACHE_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, response, PUBLIC_PAGE_SECONDS)
            response[CACHE_HEADER] = "miss"
        return response

    return wrapped


class InvalidatesPublicPages:
    """ModelAdmin mixin: a staff edit in the admin changes what visitors see, like a service does."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate_public_pages_on_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_public_pages_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        invalidate_public_pages_on_commit()
