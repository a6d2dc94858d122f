import json

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from directory.lib.cache import cache_public_page, therapist_scope
from reviews import rules as review_rules
from reviews.forms import ReviewListForm
from therapists.models import Credential, Therapist
from therapists.pagination import paginate

REVIEWS_PAGE_SIZE = 10
# The characters that could end a <script> element or open a comment inside it, as json_script escapes them.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_safe
@cache_public_page(scope=therapist_scope)  # a review or an edit of this therapist drops its pages only
def profile(request, slug):
    therapist = get_object_or_404(Therapist.objects.published().for_profile_page(), slug=slug)
    # Through the related manager, each review's .therapist is this instance: no query per review card.
    published_reviews = therapist.reviews.published()
    # Sort and filters from the query string; a value it refuses falls back to its default, with a notice.
    listing = ReviewListForm(request.GET)
    rating_counts = published_reviews.rating_counts()
    distribution = {stars: counts["all"] for stars, counts in rating_counts.items()}
    paginator = Paginator(
        listing.filter(published_reviews).select_related("author", "modality", "reply"), REVIEWS_PAGE_SIZE
    )
    # The rating counts already sized every filter's list: no second COUNT query.
    paginator.count = listing.count(rating_counts)
    reviews, page_message = paginate(paginator, request.GET.get("page"))
    user = request.user
    is_owner = user.is_authenticated and therapist.user_id == user.pk
    context = {
        "therapist": therapist,
        # What the header offers: the owner manages, an author edits (or is told why not), others write.
        "is_owner": is_owner,
        "own_review": therapist.reviews.filter(author=user).first() if user.is_authenticated and not is_owner else None,
        "credentials": credentials_shown_to(user, therapist),
        **therapist.offered_names(),
        "reviews": reviews,
        "listing": listing,
        "notices": [*listing.notices, *([page_message] if page_message else [])],
        "sorts": review_rules.SORTS,
        "list_query": listing.query(),
        "review_total": sum(distribution.values()),
        "distribution": rating_bars(distribution, listing),
        "json_ld": json_ld(request, therapist, reviews),
    }
    return render(request, "therapists/profile.html", context)


def credentials_shown_to(user, therapist: Therapist) -> list:
    """The public's credentials (prefetched), and the pending ones too for the owner and moderators."""
    shown = list(therapist.credentials.all())
    if user.is_authenticated and (user.pk == therapist.user_id or user.is_moderator):
        # Not through therapist.credentials: its prefetched queryset already excludes pending ones.
        pending = Credential.objects.filter(therapist=therapist).pending().order_by("kind", "-issued_on", "pk")
        shown = [*shown, *pending]
    return shown


def rating_bars(distribution: dict[int, int], listing: ReviewListForm) -> list[dict]:
    """One bar per star over all published reviews, each linking to that star's reviews (sort and
    verified filter kept, back to page 1); the bar of the star shown now is marked current."""
    total = sum(distribution.values())
    return [
        {
            "stars": stars,
            "count": count,
            "percent": round(100 * count / total) if total else 0,
            "query": listing.query(stars=stars),
            "current": listing.stars_only == stars,
        }
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
    # aggregateRating is over all published reviews, as the page's own rating line is: that is the figure
    # visitors see, and hiding unverified reviews from it would suppress reviews by how they came in
    # (16 CFR 465). Only reviews of a verified visit are marked up as schema.org Review items, the ones
    # whose reviewer we know used the service (UCPD Art. 7(6)); the items come from the page's own rows,
    # so they add no query, and a filtered or later page marks up the verified reviews it shows.
    if therapist.review_count and therapist.rating_avg is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(therapist.rating_avg, 2),
            "reviewCount": therapist.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
        verified = [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "datePublished": review.created_at.date(),
                "author": {"@type": "Person", "name": review.author_display_name},
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1},
            }
            for review in reviews
            if review.is_verified_visit
        ]
        if verified:
            data["review"] = verified
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(encoded)  # noqa: S308 - escaped JSON, see the docstring  # nosec B308 B703
