"""Counts beside every filter option, and the way out of an empty result.

A count answers "how many would I see if I chose this?": it is taken over the current search minus
the filter's own family (choosing a second massage type widens the search, so the other massage
types are counted without the first). The answer is one query, kept FACET_SECONDS in the shared
cache under the normalised search (the order of parameters, sort and page do not matter).

PostgreSQL reads the candidates once: the therapists matching every filter except the five
families (place, words, rating, years and price still apply), each row carrying whether it passes
each family's own filter and its denormalised ids (migration 0010). Each family's counts are then
grouped from that one materialised set, so a page costs one scan, mostly index-only (the covering
indexes of 0010), where the per-family UNION below re-read the published therapists six times
(issue 20: 200–400 ms for a massage type without a place). SQLite keeps the UNION.
"""

import hashlib
import json
from string import Template

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Value

from directory.lib.cache import GENERATION_KEY
from therapists.choices import choice_ids, search_choices
from therapists.forms import MAX_RADIUS_KM, RADIUS_CHOICES_KM
from therapists.models import Therapist
from therapists.pagination import SAMPLE_EVERY

FACET_SECONDS = 60
# family -> (the many-to-many table, the option's value through it)
MANY = {
    "modality": (Therapist.modalities.through, "modality__slug"),
    "need": (Therapist.needs.through, "need__slug"),
    "language": (Therapist.languages.through, "language__code"),
}
# family -> the boolean column its one option ("1") tests
FLAGS = {"verified": "has_verified_licence", "accepting": "accepts_new_clients"}
NEAREST_OUTSIDE = 5


def normalised_search(therapist_filter) -> str:
    """The cleaned search as a stable string: what decides the counts, nothing else."""
    cleaned = therapist_filter.form.cleaned_data
    shown = {}
    for name in (*therapist_filter.in_use(), "radius_km"):
        value = cleaned.get(name)
        if name == "place":
            value = [round(coordinate, 5) for coordinate in cleaned["point"]]
            shown["radius_km"] = therapist_filter.search_radius_km
        elif isinstance(value, list):
            value = sorted(value)
        if name != "radius_km":
            shown[name] = value
    return json.dumps(shown, sort_keys=True, default=str)


def _cache_key(prefix: str, therapist_filter) -> str:
    # The public pages' generation: a suspended or newly published therapist changes the counts at once.
    generation = cache.get(GENERATION_KEY, 0)
    return f"{prefix}:{generation}:" + hashlib.sha256(normalised_search(therapist_filter).encode()).hexdigest()


def facet_counts(therapist_filter) -> dict[str, dict[str, int]]:
    """{family: {option value: therapists}} for every family in MANY and FLAGS; absent options count 0.

    {"total": {"": n}} is the search's own result count, in the same query, for the paginator.
    With "sampled": True the option counts are scaled from a sample (see SAMPLE_EVERY), and with
    "total_estimated": True the result count too.
    """
    key = _cache_key("facet-counts:v2", therapist_filter)
    counts = cache.get(key)
    if counts is not None:
        return counts
    if connection.vendor == "postgresql":
        counts = _counts_in_one_pass(therapist_filter)
    else:
        counts = _counts_by_union(therapist_filter)
    cache.set(key, counts, FACET_SECONDS)
    return counts


# family -> the denormalised ids column of migration 0010
ID_COLUMNS = {"modality": "modality_ids", "need": "need_ids", "language": "language_ids"}
# Without a place the candidates are most of the directory (90,000 of 100,000 in bench/): their
# counts are estimated from the therapists whose id is a multiple of SAMPLE_EVERY (one in 16, a
# partial covering index of 0012), scaled up and shown as "about". Only when the sample holds at
# least SAMPLED_FROM / SAMPLE_EVERY candidates: below that the same statement counts them all (a
# small directory, a rare word). A result count under EXACT_TOTAL_BELOW is counted exactly (the
# GIN indexes answer a small one), so a rare combination never reads "about 0" or pages wrongly.
SAMPLED_FROM = 4000
EXACT_TOTAL_BELOW = 2000

# The one-pass counts, one statement. Every name substituted is a constant of this module; the
# search's values are bound parameters of the candidates' SQL, which Django compiled. `b` holds each
# candidate with its weight: 1, or SAMPLE_EVERY for a sampled one. Around a place, b is the exact
# candidates; otherwise the sample, unless the sample is small, when a one-time filter switches to
# the exact candidates (PostgreSQL runs only the branch whose filter holds).
EXACT = Template("WITH b AS MATERIALIZED (SELECT *, 1 AS weight FROM ($exact) AS e) $parts")
SAMPLED_OR_EXACT = Template(
    "WITH s AS MATERIALIZED ($sampled), "
    "small AS (SELECT count(*) * $every < $sampled_from AS yes FROM s), "
    "b AS MATERIALIZED ("
    "SELECT *, $every AS weight FROM s WHERE NOT (SELECT yes FROM small) "
    "UNION ALL SELECT *, 1 AS weight FROM ($exact) AS e WHERE (SELECT yes FROM small)"
    ") $parts UNION ALL SELECT 'sampled', 0, (SELECT CASE WHEN yes THEN 0 ELSE 1 END FROM small)"
)
MANY_PART = Template(
    "SELECT '$family', option, sum(b.weight) FROM b CROSS JOIN LATERAL unnest(b.$column) AS option "
    "WHERE $others GROUP BY option"
)
FLAG_PART = Template("SELECT '$family', 1, coalesce(sum(b.weight), 0) FROM b WHERE b.$column AND $others")
TOTAL_PART = Template("SELECT 'total', 0, coalesce(sum(b.weight), 0) FROM b WHERE $others")


def _passes(family: str, cleaned: dict) -> Q | None:
    """The condition the search's own filter of that family puts on a row (TherapistFilter), or None."""
    chosen = cleaned.get(family)
    if not chosen:
        return None
    if family in FLAGS:
        return Q(**{FLAGS[family]: True})
    if family == "language":
        return Q(language_ids__contains=choice_ids("language", [chosen]))
    return Q(**{f"{ID_COLUMNS[family]}__overlap": choice_ids(family, chosen)})


def _counts_in_one_pass(therapist_filter) -> dict:
    """Exact around a place (the place bounds the candidates); otherwise estimated from the sample
    when the candidates are many, with the result count made exact again when it is small."""
    counts = _one_pass(therapist_filter, sample=therapist_filter.point is None)
    if counts.pop("sampled", None):
        counts["sampled"] = True
        if counts["total"].get("", 0) < EXACT_TOTAL_BELOW:
            counts["total"] = {"": therapist_filter.without().count()}
        else:
            counts["total_estimated"] = True
    return counts


def _candidates(therapist_filter, passes: dict, *, sample: bool) -> tuple[str, tuple]:
    candidates = therapist_filter.without(*MANY, *FLAGS)
    if sample:
        # The predicate of migration 0012's partial index, as it is written there.
        candidates = candidates.alias(sample_slot=F("id") % SAMPLE_EVERY).filter(sample_slot=0)
    candidates = candidates.annotate(**passes).values(*ID_COLUMNS.values(), *FLAGS.values(), *passes)
    return candidates.query.sql_with_params()


def _one_pass(therapist_filter, *, sample: bool) -> dict[str, dict[str, int]]:
    families = (*MANY, *FLAGS)
    cleaned = therapist_filter.form.cleaned_data
    passes = {}
    for family in families:
        condition = _passes(family, cleaned)
        passes[f"passes_{family}"] = (
            Value(True) if condition is None else ExpressionWrapper(condition, output_field=BooleanField())
        )

    def all_but(family: str | None) -> str:
        return " AND ".join(f"b.passes_{other}" for other in families if other != family)

    parts = [
        MANY_PART.substitute(family=family, column=column, others=all_but(family))
        for family, column in ID_COLUMNS.items()
    ]
    parts += [
        FLAG_PART.substitute(family=family, column=column, others=all_but(family)) for family, column in FLAGS.items()
    ]
    parts.append(TOTAL_PART.substitute(others=all_but(None)))
    exact, params = _candidates(therapist_filter, passes, sample=False)
    if sample:
        sampled, sampled_params = _candidates(therapist_filter, passes, sample=True)
        sql = SAMPLED_OR_EXACT.substitute(
            sampled=sampled,
            exact=exact,
            every=SAMPLE_EVERY,
            sampled_from=SAMPLED_FROM,
            parts=" UNION ALL ".join(parts),
        )
        params = (*sampled_params, *params)
    else:
        sql = EXACT.substitute(exact=exact, parts=" UNION ALL ".join(parts))
    values = {family: {pk: value for value, pk in ids.items()} for family, ids in search_choices()["ids"].items()}
    counts = {family: {} for family in (*MANY, *FLAGS, "total")}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for family, option, therapists in cursor.fetchall():
            # Like the UNION's groups: an option nobody has is absent (counts 0), not a row of 0.
            if not therapists:
                continue
            if family == "sampled":
                counts["sampled"] = True
            elif family in values:
                if option in values[family]:
                    counts[family][values[family][option]] = int(therapists)
            else:
                counts[family]["1" if family in FLAGS else ""] = int(therapists)
    return counts


def _counts_by_union(therapist_filter) -> dict[str, dict[str, int]]:
    parts = []
    for family, (through, option) in MANY.items():
        members = therapist_filter.without(family).values("pk")
        parts.append(
            through.objects.filter(therapist__in=members)
            .annotate(family=Value(family))
            .values_list("family", option)
            .annotate(therapists=Count("therapist_id"))
            .order_by()
        )
    for family, column in FLAGS.items():
        parts.append(
            therapist_filter.without(family)
            .filter(**{column: True})
            .annotate(family=Value(family), option=Value("1"))
            .values_list("family", "option")
            .annotate(therapists=Count("pk"))
            .order_by()
        )
    parts.append(
        therapist_filter.without()
        .annotate(family=Value("total"), option=Value(""))
        .values_list("family", "option")
        .annotate(therapists=Count("pk"))
        .order_by()
    )
    counts = {family: {} for family in (*MANY, *FLAGS, "total")}
    first, *others = parts
    for family, option, therapists in first.union(*others, all=True):
        counts[family][option] = therapists
    return counts


def counts_without_each_filter(therapist_filter) -> dict[str, int]:
    """{filter in use: how many the search finds without it}, in one UNION query (for an empty result)."""
    names = therapist_filter.in_use()
    if not names:
        return {}
    parts = [
        therapist_filter.without(name)
        .annotate(dropped=Value(name))
        .values_list("dropped")
        .annotate(therapists=Count("pk"))
        .order_by()
        for name in names
    ]
    first, *others = parts
    counts = dict.fromkeys(names, 0)
    counts.update(dict(first.union(*others, all=True)) if others else dict(first))
    return counts


def nearest_outside(therapist_filter) -> list[Therapist]:
    """The closest therapists matching everything but the radius, up to MAX_RADIUS_KM away."""
    point = therapist_filter.point
    if point is None or therapist_filter.search_radius_km >= MAX_RADIUS_KM:
        return []
    return list(
        therapist_filter.without("place")
        .near(*point, MAX_RADIUS_KM)
        .defer("bio", "search_document", "suspended_reason", "score_breakdown")
        .order_by("distance_km", "-score", "pk")[:NEAREST_OUTSIDE]
    )


def radius_reaching(distance_km: float) -> int:
    """The smallest radius of the form's select that reaches a therapist this far away."""
    for radius in RADIUS_CHOICES_KM:
        if radius >= distance_km:
            return radius
    return MAX_RADIUS_KM
