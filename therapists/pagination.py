"""Pagination for therapist listings (HTML search and API) that stays cheap at 100,000 therapists.

Two costs grow with the table, measured in bench/RESULTS.md:
- COUNT(*) over 90,000 published therapists, paid on every page view. Large counts are kept in
  the shared cache for a minute, keyed by the query, and without a place they are estimated from
  a 1-in-16 sample (issue 20); small ones are counted exactly every time, since they are cheap and
  a visitor notices when "3 found" is wrong.
- OFFSET: page 2,000 made PostgreSQL fetch and discard 40,000 full rows. The page's primary keys
  are first chosen by a subquery that reads only an index (an index-only scan), and then just
  those 20 rows are fetched; page 1 too, since issue 20 (a place search sorted thousands of rows).
"""

import hashlib
from string import Template

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import F, Subquery
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CACHE_SECONDS = 60
# From this many results on, a count up to a minute old is acceptable (the last page may be a
# few rows short or long); below it the count is exact.
CACHED_COUNT_FROM = 1000
# One therapist in SAMPLE_EVERY (id % 16 = 0) is in the sample that migration 0012's partial covering
# index holds: what a search without a place estimates its counts from (here and therapists.facets).
SAMPLE_EVERY = 16
# The sampled count when it reaches CACHED_COUNT_FROM, else the exact one; PostgreSQL evaluates only
# the CASE branch it takes. Substituted: module constants and SQL Django compiled (values are bound).
SAMPLED_OR_EXACT_COUNT = Template(
    "WITH s AS (SELECT count(*) * $every AS n FROM ($sampled) AS sample) "
    "SELECT CASE WHEN (SELECT n FROM s) >= $threshold THEN (SELECT n FROM s) "
    "ELSE (SELECT count(*) FROM ($exact) AS e) END"
)


def sampled_or_exact_count(queryset) -> int:
    """How many rows the listing has: exact below CACHED_COUNT_FROM; above, on PostgreSQL and without a
    place, scaled from the sample (an API count over tens of thousands read every row, issue 20)."""
    if connection.vendor != "postgresql" or "distance_km" in queryset.query.annotations:
        return queryset.count()
    keys = queryset.order_by().values("pk")
    sample = keys.alias(sample_slot=F("id") % SAMPLE_EVERY).filter(sample_slot=0)
    sampled, sampled_params = sample.query.sql_with_params()
    exact, exact_params = keys.query.sql_with_params()
    sql = SAMPLED_OR_EXACT_COUNT.substitute(
        every=SAMPLE_EVERY, threshold=CACHED_COUNT_FROM, sampled=sampled, exact=exact
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*sampled_params, *exact_params))
        return cursor.fetchone()[0]


class ListingPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        query = self.object_list.order_by().values("pk").query
        key = "listing-count:" + hashlib.sha256(str(query).encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = sampled_or_exact_count(self.object_list)
            if count >= CACHED_COUNT_FROM:
                cache.set(key, count, COUNT_CACHE_SECONDS)
        return count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # A deferred join, on every page: the subquery chooses the page's keys (and runs the OFFSET)
        # over what an index holds, then only those rows are read. Around a place that is an
        # index-only scan of the point index (migration 0010) instead of a few thousand wide rows
        # read to be sorted (issue 20).
        page_keys = self.object_list.values("pk")[bottom:top]
        rows = self.object_list.filter(pk__in=Subquery(page_keys))
        return self._get_page(rows, number, self)


class ListingPagination(PageNumberPagination):
    """The API's ?page=N pagination, on the same paginator as the HTML search."""

    django_paginator_class = ListingPaginator


def paginate(paginator: Paginator, number: str | None):
    """(page, message): an out-of-range or malformed page number shows a page and says why."""
    try:
        return paginator.page(number or 1), ""
    except PageNotAnInteger:
        return paginator.page(1), "Page numbers are whole numbers starting at 1, so here is the first page."
    except EmptyPage:
        if int(number) < 1:
            return paginator.page(1), "Page numbers start at 1, so here is the first page."
        return (
            paginator.page(paginator.num_pages),
            f"There are only {paginator.num_pages} pages of results, so here is the last one.",
        )


def page_window(page, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last and `around` either side of this one; None is a gap.

    Page 7 of 40: [1, None, 5, 6, 7, 8, 9, None, 40].
    """
    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window
