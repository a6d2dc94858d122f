"""Site-wide middleware: the request body limit and the Permissions-Policy header."""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve

MB = 1024 * 1024
# Room for the other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 256 * 1024
# The largest body each URL accepts: its biggest upload plus the form around it. Everything else
# (login, signup, reviews, the profile form) is text, for which 1 MB is generous.
DEFAULT_BODY_LIMIT = 1 * MB
BODY_LIMITS_BY_URL_NAME = {
    "dashboard:photo": 5 * MB + FORM_OVERHEAD,
    "dashboard:submit_credential": 10 * MB + FORM_OVERHEAD,
    "dashboard:edit_credential": 10 * MB + FORM_OVERHEAD,
}
# Django's admin can upload a photo for a therapist.
ADMIN_BODY_LIMIT = 10 * MB + FORM_OVERHEAD


def body_limit_for(path: str) -> int:
    try:
        match = resolve(path)
    except Resolver404:
        return DEFAULT_BODY_LIMIT
    if match.namespace == "admin" or (match.namespaces and match.namespaces[0] == "admin"):
        return ADMIN_BODY_LIMIT
    return BODY_LIMITS_BY_URL_NAME.get(match.view_name, DEFAULT_BODY_LIMIT)


class RequestBodyLimitMiddleware:
    """Refuse a body larger than the URL accepts with a 413, before Django parses any of it.

    Django caps the non-file fields of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) but writes every file
    part to a temporary file whatever its size, and the CSRF check parses a POST before any view
    runs: without this a 300 MB part posted to the login page went to disk. The Content-Length is
    known before the body is read, so the refusal costs nothing. A body without a Content-Length
    (chunked) is read by Django as empty, never in full; the proxy in front enforces the same
    ceiling (`client_max_body_size`, see README.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit_for(request.path_info)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return render(request, "413.html", {"limit_mb": max(1, round(limit / MB))}, status=413)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features no page uses (camera, microphone, payment, …).

    Geolocation stays allowed for this origin only: the search page's "near me" asks for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
