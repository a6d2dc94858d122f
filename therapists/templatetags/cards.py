"""{% therapist_cards therapists as cards %}: each result card rendered once per content, then read from the cache.

Twenty cards cost about 2 ms each to render with the template engine (bench/RESULTS.md, issue 20), on
every listing that is not a page-cache hit: every logged-in search, every new search URL. A card's key
is the therapist's id and a digest of everything the card shows, plus the card template's source, so
it never needs invalidating: a new name, score, review count, massage type, today's opening hours, a
different distance or an edited template is a different key, and the old card just expires. A page's
cards come in one get_many, and the ones missing are stored in one set_many.
"""

import functools
import hashlib

from django import template
from django.core.cache import cache
from django.template.loader import get_template

CARD_TEMPLATE = "includes/therapist_card.html"
CARD_SECONDS = 6 * 3600

register = template.Library()


@functools.cache
def _template_digest() -> str:
    source = get_template(CARD_TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def card_key(therapist) -> str:
    """Everything includes/therapist_card.html reads, in one digest (the prefetched types and hours)."""
    distance = getattr(therapist, "distance_km", None)
    shown = (
        therapist.slug,
        therapist.display_name,
        therapist.headline,
        therapist.photo_thumbnail.name,
        therapist.city,
        therapist.country,
        None if distance is None else round(distance, 1),
        therapist.price_from,
        therapist.price_to,
        therapist.currency,
        therapist.has_verified_licence,
        therapist.accepts_new_clients,
        therapist.takes_appointment_requests,
        bool(therapist.opening_hours.all()),
        [hours.label for hours in therapist.hours_today()],
        therapist.score,
        therapist.score_breakdown,
        therapist.review_count,
        therapist.rating_avg,
        therapist.years_of_experience,
        [modality.name for modality in therapist.modalities.all()],
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:24]
    return f"card:{_template_digest()}:{therapist.pk}:{digest}"


@register.simple_tag
def therapist_cards(therapists) -> list:
    """The rendered cards (safe strings: the template escaped them) of these therapists, in order."""
    therapists = list(therapists)
    keys = [card_key(therapist) for therapist in therapists]
    found = cache.get_many(keys)
    card = get_template(CARD_TEMPLATE)
    rendered, missing = [], {}
    for therapist, key in zip(therapists, keys, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = card.render({"therapist": therapist})
        rendered.append(html)
    if missing:
        cache.set_many(missing, CARD_SECONDS)
    return rendered
