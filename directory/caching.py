"""Whole pages for visitors who are not logged in, kept a few seconds in the shared cache.

At 100,000 therapists the SQL of a search page takes about a millisecond, and rendering twenty
result cards and the filter form takes the other 25 (bench/RESULTS.md). Every anonymous visitor
gets the same page for the same URL, so it is rendered once per PUBLIC_PAGE_SECONDS.

Never across users: a request that carries a session or flash-message cookie is rendered for
itself and not stored, and a response that sets a cookie is not stored either. So a logged-in
user always sees a fresh page (their own new review at once); anonymous visitors see a change
(a new review, a suspension) within PUBLIC_PAGE_SECONDS.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache

PUBLIC_PAGE_SECONDS = 30
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def public_cache_key(request, prefix: str = "public-page") -> str | None:
    """The cache key of this request's page, or None when the request is personal."""
    if request.method not in ("GET", "HEAD") or any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return None
    return f"{prefix}:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def cache_public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = public_cache_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, response, PUBLIC_PAGE_SECONDS)
        return response

    return wrapped
