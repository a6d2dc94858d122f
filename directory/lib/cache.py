"""Whole pages for visitors who are not logged in, kept a few seconds in the shared cache.

Every anonymous visitor gets the same page for the same URL, so it is rendered once per
PUBLIC_PAGE_SECONDS (bench/RESULTS.md: rendering, not SQL, is most of a page's cost).

Never across users: a request that carries a session or flash-message cookie is rendered for
itself and not stored, and a response that sets a cookie is not stored either. So a logged-in
user always sees a fresh page (their own new review at once).

A write drops what it changed, not every cached page (issue 20). Every service that changes what
visitors see says so itself, after commit (no model signal does it behind its back):
- invalidate_therapist_pages_on_commit(slug): that therapist's profile page and API detail, whose
  keys carry a per-therapist version. A review, a reply, a credential decision, a profile edit.
  Listings that show the therapist's card keep their page for at most PUBLIC_PAGE_SECONDS (the
  cards themselves are cached by content, templatetags/cards.py, so a re-rendered listing is fresh).
- invalidate_public_pages_on_commit(): every page and API answer, through the generation number in
  every key. Only what must leave every listing at once: a profile suspended, unpublished or
  published, reference data edited by staff, the daily batches.
With writes going on all day, a global generation bumped by every review left the cache holding
almost nothing (issue 20). tests/test_public_page_cache.py holds one test per service.
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


def _version_key(scope: str) -> str:
    return f"public-page-version:{scope}"


def therapist_scope(slug: str) -> str:
    return f"therapist:{slug}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Never 0 again: a key that expired and came back must not match pages cached before.
        cache.add(key, 1, timeout=None)


def invalidate_public_pages() -> None:
    """Drop every cached visitor page and API answer, in every worker (the counter is shared)."""
    _bump(GENERATION_KEY)


def invalidate_public_pages_on_commit() -> None:
    # After commit: a page rebuilt between the write and its commit would cache the old rows.
    transaction.on_commit(invalidate_public_pages)


def invalidate_therapist_pages(slug: str) -> None:
    """Drop the cached profile page (every page of its reviews) and API detail of one therapist."""
    _bump(_version_key(therapist_scope(slug)))


def invalidate_therapist_pages_on_commit(slug: str) -> None:
    transaction.on_commit(lambda: invalidate_therapist_pages(slug))


def public_cache_key(request, prefix: str = "public-page", scope: str | None = None) -> str | None:
    """The cache key of this request's page, or None when the request is personal.

    One round trip reads the generation and, for a scoped page (one therapist's), its version.
    """
    if request.method not in ("GET", "HEAD") or any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return None
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    if scope is None:
        return f"{prefix}:{cache.get(GENERATION_KEY, 0)}:{url}"
    versions = cache.get_many([GENERATION_KEY, _version_key(scope)])
    return f"{prefix}:{versions.get(GENERATION_KEY, 0)}:{scope}:{versions.get(_version_key(scope), 0)}:{url}"


def cache_public_page(view=None, *, scope=None):
    """Cache the view's visitor pages; `scope(**view_kwargs)` names whose version the key carries.

    @cache_public_page for a listing, @cache_public_page(scope=lambda slug: therapist_scope(slug)) for
    a page of one therapist.
    """
    if view is None:
        return lambda view: cache_public_page(view, scope=scope)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = public_cache_key(request, scope=scope(**kwargs) if scope else None)
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
