"""Error handlers: the API answers in JSON even when no API view was reached.

A path under /api/ that matches no URL (a slug with characters the slug converter refuses, an unknown
endpoint) is answered by Django's URL resolver, not by REST framework, and would otherwise be the
HTML 404 page, which API clients cannot parse and the OpenAPI document does not promise.
"""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
