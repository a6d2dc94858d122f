import logging
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from directory.lib.cache import cache_public_page
from moderation import transparency
from reviews import rules as review_rules
from reviews.models import REPLY_FLAG_REASONS, ReviewFlag
from therapists import scoring
from therapists.charts import histogram_bars
from therapists.choices import search_choices
from therapists.models import Therapist

logger = logging.getLogger(__name__)


@require_safe
@cache_public_page
def home(request):
    top_therapists = Therapist.objects.published().ranked().for_listing()[:6]
    return render(request, "home.html", {"top_therapists": top_therapists, "choices": search_choices()})


# The histogram is an aggregate over every published therapist: recounted at most hourly.
SCORE_DISTRIBUTION_SECONDS = 3600


def _score_distribution() -> list[int]:
    return cache.get_or_set(
        "how-we-rank:score-distribution",
        lambda: Therapist.objects.published().score_distribution(),
        SCORE_DISTRIBUTION_SECONDS,
    )


@require_safe
def how_we_rank(request):
    # Built from the weights table itself, so this page cannot drift from the code.
    components = [
        {"key": key, "label": scoring.LABELS[key], "weight": weight} for key, weight in scoring.WEIGHTS.items()
    ]
    examples = {
        "one_perfect": scoring.compute_score(
            scoring.ScoreInputs(reviews=(scoring.ReviewGroup(True, 0, 1, 5, 1, 1, 1),))
        ).rating_weighted,
        "many_good": scoring.compute_score(
            scoring.ScoreInputs(reviews=(scoring.ReviewGroup(True, 0, 200, 960, 200, 200, 200),))
        ).rating_weighted,
    }
    counts = _score_distribution()
    context = {
        "components": components,
        "rules": scoring,
        "review_weight_percent": round(100 * scoring.REVIEW_WEIGHTS["not_verified"]),
        "decay_percent": round(100 * scoring.AGE_DECAY_PER_YEAR),
        "floor_percent": round(100 * scoring.AGE_WEIGHT_FLOOR),
        "self_declared_percent": round(100 * scoring.SELF_DECLARED_YEAR_SHARE),
        "examples": examples,
        "histogram": histogram_bars(counts),
        "published_count": sum(counts),
    }
    return render(request, "how_we_rank.html", context)


@require_safe
def how_reviews_work(request):
    # The rules are read from reviews.rules and the models, so this page cannot drift from the code.
    context = {
        "rules": review_rules,
        "edit_days": review_rules.EDIT_WINDOW.days,
        "burst_minutes": int(review_rules.BURST_WINDOW.total_seconds() // 60),
        "burst_young_days": review_rules.BURST_YOUNG_ACCOUNT.days,
        "criteria": ReviewFlag.Reason.choices,
        "reply_criteria": [reason.label for reason in REPLY_FLAG_REASONS],
        "sorts": review_rules.SORTS.values(),
        "default_sort": review_rules.SORTS[review_rules.DEFAULT_SORT],
        "transparency": transparency.table(),
    }
    return render(request, "how_reviews_work.html", context)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def admin_login(request):
    """The admin's login page, replaced: people sign in through the site's login, then come back.

    Django's admin login form authenticated on its own, outside allauth's throttles (40 wrong
    passwords in a row were all checked). Sending everyone to /accounts/login/ puts the admin
    behind the same per-IP and per-account limits; the admin itself still admits staff only.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        # Signed in, but not staff: going round to the login page again would loop.
        return render(request, "admin_staff_only.html", status=403)
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache_answers() -> None:
    # A write and a read: a Redis that accepts connections but refuses writes (full, read-only) is not ready.
    cache.set("readyz", "1", timeout=10)
    if cache.get("readyz") != "1":
        raise RuntimeError("the cache did not return what was written")


def _broker_answers() -> None:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
@require_safe
def readyz(request):
    """200 when the database, the cache and (when configured) the task broker answer; else 503 naming them.

    For load balancers and orchestrators deciding whether to send traffic here; /healthz stays the
    cheap liveness check that only asks the database.
    """
    checks = {"database": _database_answers, "cache": _cache_answers}
    if settings.TASK_BROKER_CONFIGURED:
        checks["broker"] = _broker_answers
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:  # any failure of a dependency means "not ready", never a 500
            logger.warning("readyz: %s is unavailable: %s", name, error)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    if not settings.TASK_BROKER_CONFIGURED:
        results["broker"] = "not configured (tasks run in-process)"
    failing = [name for name, state in results.items() if state == "unavailable"]
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing, **results}, status=503)
    return JsonResponse({"status": "ok", **results})
