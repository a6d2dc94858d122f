from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory.lib.cache import cache_public_page
from therapists import scoring
from therapists.charts import histogram_bars
from therapists.choices import search_choices
from therapists.models import Therapist


@require_GET
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


@require_GET
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


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
