"""Error handlers: the API answers in JSON even when no API view was reached.

A path under /api/ that matches no URL (a slug with characters the slug converter refuses, an unknown
endpoint) is answered by Django's URL resolver, not by REST framework, and would otherwise be the
HTML 404 page, which API clients cannot parse and the OpenAPI document does not promise.
"""

from urllib.parse import urlsplit

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: usually a page left open across a log-in or log-out
    (the token changed) or a browser refusing the cookie. Say so, and offer the page the form
    was on, when the Referer names one of our own pages (never another site's address)."""
    referer = request.META.get("HTTP_REFERER", "")
    back = None
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    return render(request, "403_csrf.html", {"back": back}, status=403)
