import json

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from directory.lib.cache import cache_public_page
from therapists.models import Therapist
from therapists.pagination import paginate

REVIEWS_PAGE_SIZE = 10
# The characters that could end a <script> element or open a comment inside it, as json_script escapes them.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_GET
@cache_public_page
def profile(request, slug):
    therapist = get_object_or_404(Therapist.objects.published().for_profile_page(), slug=slug)
    # Through the related manager, each review's .therapist is this instance: no query per review card.
    published_reviews = therapist.reviews.published()
    distribution = published_reviews.rating_distribution()
    paginator = Paginator(
        published_reviews.newest_first().select_related("author", "modality", "reply"), REVIEWS_PAGE_SIZE
    )
    # The distribution already counted the published reviews: no second COUNT query.
    paginator.count = sum(distribution.values())
    reviews, page_message = paginate(paginator, request.GET.get("page"))
    user = request.user
    is_owner = user.is_authenticated and therapist.user_id == user.pk
    context = {
        "therapist": therapist,
        # What the header offers: the owner manages, an author edits (or is told why not), others write.
        "is_owner": is_owner,
        "own_review": therapist.reviews.filter(author=user).first() if user.is_authenticated and not is_owner else None,
        "credentials": list(therapist.credentials.all()),
        **therapist.offered_names(),
        "reviews": reviews,
        "page_message": page_message,
        "distribution": rating_bars(distribution),
        "json_ld": json_ld(request, therapist, reviews),
    }
    return render(request, "therapists/profile.html", context)


def rating_bars(distribution: dict[int, int]) -> list[dict]:
    total = sum(distribution.values())
    return [
        {"stars": stars, "count": count, "percent": round(100 * count / total) if total else 0}
        for stars, count in distribution.items()
    ]


def json_ld(request, therapist: Therapist, reviews) -> str:
    """schema.org markup for search engines, escaped for a <script> element.

    The returned string is marked safe because every <, > and & in it is escaped as a JSON
    unicode escape (what django.utils.html.json_script does), so user text cannot close the
    script element; json_script itself cannot be used because it writes type="application/json".
    """
    data = {
        "@context": "https://schema.org",
        "@type": "HealthAndBeautyBusiness",
        "name": therapist.display_name,
        "description": therapist.headline,
        "url": request.build_absolute_uri(therapist.get_absolute_url()),
        "address": {"@type": "PostalAddress", "addressLocality": therapist.city, "addressCountry": therapist.country},
    }
    if therapist.latitude is not None and therapist.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": therapist.latitude, "longitude": therapist.longitude}
    if therapist.photo:
        data["image"] = request.build_absolute_uri(therapist.photo.url)
    if therapist.review_count and therapist.rating_avg is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(therapist.rating_avg, 2),
            "reviewCount": therapist.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
        data["review"] = [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "datePublished": review.created_at.date(),
                "author": {"@type": "Person", "name": review.author_display_name},
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1},
            }
            for review in reviews
        ]
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(encoded)  # noqa: S308 - escaped JSON, see the docstring  # nosec B308 B703
