"""The profile's review list: sort, "verified visits only", star filter, pagination, bad values (issue 17)."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from tests.factories import ReviewFactory, ReviewReplyFactory, TherapistFactory, UserFactory
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db

PAGE_SIZE = 10
# Visitor, cold caches (tests/test_performance.py, PROFILE_QUERIES): every sort and filter costs the same.
PROFILE_QUERIES = 6


def titles(response) -> list[str]:
    return [review.title for review in response.context["reviews"]]


def next_link(response) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    return unescape(match.group(1)) if match else None


def walk(client, therapist, query: str) -> list[str]:
    """Every page of the list, following the page's own "next" links (so they must keep the filters)."""
    base = f"/therapists/{therapist.slug}/"
    response = client.get(f"{base}{query}")
    assert response.status_code == 200
    seen = titles(response)
    while href := next_link(response):
        assert href.startswith("?")
        response = client.get(base + href.split("#")[0])
        assert response.status_code == 200
        seen += titles(response)
    return seen


@pytest.fixture
def shelf():
    """23 published reviews a day apart (R00 newest): ratings cycle 5,4,3,2,1, every third one verified;
    plus a hidden, a held and a withdrawn review that no list may show."""
    therapist = TherapistFactory()
    now = timezone.now()
    rows = []
    for n in range(23):
        rating = 5 - n % 5
        verified = n % 3 == 0
        ReviewFactory(
            therapist=therapist,
            title=f"R{n:02d}",
            rating=rating,
            created_at=now - timedelta(days=n),
            verified_visit=verified,
        )
        rows.append({"title": f"R{n:02d}", "rating": rating, "verified": verified, "age": n})
    ReviewFactory(therapist=therapist, title="Hidden one", rating=5, hidden=True)
    ReviewFactory(therapist=therapist, title="Held one", rating=5, held=True, verified_visit=True)
    ReviewFactory(
        therapist=therapist,
        title="Withdrawn one",
        rating=5,
        status="withdrawn",
        removed_at=now,
        hidden_reason="Withdrawn by the author",
    )
    recompute_score(therapist_id=therapist.pk)
    return therapist, rows


ORDERS = {
    # The rules in words: newest first; by rating, equal ratings newest first.
    "newest": lambda row: row["age"],
    "highest": lambda row: (-row["rating"], row["age"]),
    "lowest": lambda row: (row["rating"], row["age"]),
}
FILTERS = {
    "": lambda row: True,
    "verified=1": lambda row: row["verified"],
    "stars=4": lambda row: row["rating"] == 4,
    "stars=5&verified=1": lambda row: row["rating"] == 5 and row["verified"],
}


@pytest.mark.parametrize("sort", ORDERS)
@pytest.mark.parametrize("filter_query", FILTERS)
def test_every_sort_and_filter_lists_exactly_its_reviews_in_order_across_pages(client, shelf, sort, filter_query):
    therapist, rows = shelf
    query = "&".join(part for part in (f"sort={sort}", filter_query) if part)
    expected = [row["title"] for row in sorted(filter(FILTERS[filter_query], rows), key=ORDERS[sort])]
    assert walk(client, therapist, f"?{query}") == expected


def test_newest_first_is_the_default_order(client):
    therapist = TherapistFactory()
    now = timezone.now()
    for title, days, rating in [("Old five", 9, 5), ("New one", 1, 1), ("Middle three", 5, 3)]:
        ReviewFactory(therapist=therapist, title=title, rating=rating, created_at=now - timedelta(days=days))
    assert titles(client.get(f"/therapists/{therapist.slug}/")) == ["New one", "Middle three", "Old five"]


def test_highest_and_lowest_break_equal_ratings_newest_first(client):
    therapist = TherapistFactory()
    now = timezone.now()
    for title, days, rating in [("4 old", 8, 4), ("2 new", 1, 2), ("4 new", 2, 4), ("2 old", 7, 2)]:
        ReviewFactory(therapist=therapist, title=title, rating=rating, created_at=now - timedelta(days=days))
    base = f"/therapists/{therapist.slug}/"
    assert titles(client.get(f"{base}?sort=highest")) == ["4 new", "4 old", "2 new", "2 old"]
    assert titles(client.get(f"{base}?sort=lowest")) == ["2 new", "2 old", "4 new", "4 old"]


def test_the_list_says_how_many_reviews_match_and_links_back_to_all(client, shelf):
    therapist, _ = shelf
    response = client.get(f"/therapists/{therapist.slug}/?sort=lowest&stars=5&verified=1")
    content = response.content.decode()
    # Ratings 5 are R00, R05, R10, R15, R20; verified are the multiples of 3: R00 and R15.
    assert "2 reviews with 5 stars, verified visits only, lowest rating first." in content
    assert 'href="?sort=lowest#reviews-heading">Show all reviews</a>' in content
    assert response.context["reviews"].paginator.count == 2


def test_no_matching_review_says_so(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=5)
    content = client.get(f"/therapists/{therapist.slug}/?stars=1").content.decode()
    assert "No reviews match these filters." in content
    assert "No reviews yet." not in content


def test_pagination_links_keep_sort_and_filters(client, shelf):
    therapist, _ = shelf
    response = client.get(f"/therapists/{therapist.slug}/?verified=1&sort=highest")
    # Verified: R00, R03, R06, …, R21 (8 reviews): a single page.
    assert next_link(response) is None
    response = client.get(f"/therapists/{therapist.slug}/?sort=highest")
    assert next_link(response) == "?sort=highest&page=2#reviews-heading"
    response = client.get(f"/therapists/{therapist.slug}/?sort=highest&page=2")
    content = response.content.decode()
    assert 'rel="prev" href="?sort=highest&amp;page=1#reviews-heading">← Previous page' in content
    assert next_link(response) == "?sort=highest&page=3#reviews-heading"


def test_newest_first_pages_read_newer_and_older(client, shelf):
    therapist, _ = shelf
    content = client.get(f"/therapists/{therapist.slug}/?page=2").content.decode()
    assert "← Newer reviews" in content and "Older reviews →" in content


def test_each_rating_bar_links_to_its_star_keeping_the_sort_and_verified_filter(client, shelf):
    therapist, _ = shelf
    response = client.get(f"/therapists/{therapist.slug}/?sort=lowest&verified=1&stars=2&page=2")
    bars = {bar["stars"]: bar for bar in response.context["distribution"]}
    assert bars[4]["query"] == "sort=lowest&stars=4&verified=1"
    assert [stars for stars, bar in bars.items() if bar["current"]] == [2]
    content = response.content.decode()
    assert 'href="?sort=lowest&amp;stars=4&amp;verified=1#reviews-heading">' in content
    current = 'aria-current="true"><span aria-hidden="true">2★</span><span class="visually-hidden">Show 2-star reviews'
    assert current in content


def test_the_bars_count_every_published_review_whatever_the_filter(client, shelf):
    therapist, _ = shelf
    response = client.get(f"/therapists/{therapist.slug}/?verified=1&stars=3")
    # 23 reviews, ratings cycling 5..1 from R00: 5 fives, 5 fours, 5 threes, 4 twos, 4 ones.
    assert {bar["stars"]: bar["count"] for bar in response.context["distribution"]} == {5: 5, 4: 5, 3: 5, 2: 4, 1: 4}


def test_a_star_bar_link_followed_lists_that_stars_reviews(client, shelf):
    therapist, rows = shelf
    first = client.get(f"/therapists/{therapist.slug}/")
    bar = next(bar for bar in first.context["distribution"] if bar["stars"] == 1)
    assert walk(client, therapist, f"?{bar['query']}") == [row["title"] for row in rows if row["rating"] == 1]


BAD_VALUES = [
    ("sort=oldest", "Reviews cannot be sorted by “oldest”, so they are shown newest first."),
    ("sort=", None),
    ("stars=6", "“6” is not a star rating from 1 to 5, so reviews of every rating are shown."),
    ("stars=0", "“0” is not a star rating from 1 to 5"),
    ("stars=4.5", "“4.5” is not a star rating from 1 to 5"),
    ("stars=%00", "is not a star rating from 1 to 5"),
    ("verified=yes", "“yes” is not a choice for verified visits, so all reviews are shown."),
    ("page=abc", "Page numbers are whole numbers starting at 1, so here is the first page."),
    ("page=-3", "Page numbers start at 1, so here is the first page."),
    ("page=99", "There are only 3 pages of results, so here is the last one."),
    ("sort=" + "x" * 500, "Reviews cannot be sorted by “" + "x" * 40 + "”"),
]


@pytest.mark.parametrize(("query", "notice"), BAD_VALUES)
def test_a_bad_value_falls_back_to_the_default_and_says_so(client, shelf, query, notice):
    therapist, rows = shelf
    response = client.get(f"/therapists/{therapist.slug}/?{query}")
    assert response.status_code == 200
    content = response.content.decode()
    if notice:
        assert notice in content
        assert 'class="message message-warning" role="status"' in content
    else:
        assert "message-warning" not in content
    newest = [row["title"] for row in rows]
    expected = newest[20:] if query == "page=99" else newest[:PAGE_SIZE]
    assert titles(response) == expected


def test_the_valid_values_beside_a_bad_one_still_apply(client, shelf):
    therapist, rows = shelf
    response = client.get(f"/therapists/{therapist.slug}/?sort=lowest&stars=nine&verified=1")
    content = response.content.decode()
    assert "“nine” is not a star rating" in content
    expected = [row["title"] for row in sorted((row for row in rows if row["verified"]), key=ORDERS["lowest"])]
    assert titles(response) == expected


def test_repeated_and_odd_parameters_never_fail(client, shelf):
    therapist, _ = shelf
    for query in ("sort=highest&sort=nope", "stars[]=3", "verified=1&verified=1", "sort=%E2%98%85", "stars=%20"):
        assert client.get(f"/therapists/{therapist.slug}/?{query}").status_code == 200


def test_the_form_shows_the_choices_in_force(client, shelf):
    therapist, _ = shelf
    content = client.get(f"/therapists/{therapist.slug}/?sort=lowest&stars=4&verified=1").content.decode()
    assert '<option value="lowest" selected>Lowest rating first</option>' in content
    assert '<option value="4" selected>4 stars (5)</option>' in content
    assert 'name="verified" value="1" checked' in content


QUERY_FAMILIES = [
    "",
    "?sort=highest",
    "?sort=lowest",
    "?verified=1",
    "?stars=4",
    "?sort=lowest&stars=5&verified=1",
    "?page=2",
    "?sort=highest&page=2",
    "?sort=bogus&stars=9&verified=x&page=x",
]


@pytest.mark.parametrize("query", QUERY_FAMILIES)
def test_every_sort_and_filter_stays_within_the_profiles_query_budget(
    client, shelf, django_assert_max_num_queries, query
):
    therapist, _ = shelf
    for review in therapist.reviews.published()[:12]:
        ReviewReplyFactory(review=review)
    with django_assert_max_num_queries(PROFILE_QUERIES):
        response = client.get(f"/therapists/{therapist.slug}/{query}")
    assert response.status_code == 200
    assert response.context["reviews"]


@pytest.mark.parametrize("query", ["?sort=highest", "?verified=1&stars=5"])
def test_logged_in_every_filter_stays_within_the_budget_too(client, shelf, django_assert_max_num_queries, query):
    therapist, _ = shelf
    client.force_login(UserFactory())
    # tests/test_performance.py: three queries for the session, user and navigation, one for the reader's review.
    with django_assert_max_num_queries(PROFILE_QUERIES + 4):
        assert client.get(f"/therapists/{therapist.slug}/{query}").status_code == 200


def test_the_cached_visitor_page_varies_by_sort_and_filter(client, shelf, django_assert_num_queries):
    therapist, _ = shelf
    base = f"/therapists/{therapist.slug}/"
    newest = client.get(base).content.decode()
    lowest = client.get(f"{base}?sort=lowest").content.decode()
    with django_assert_num_queries(0):
        cached_lowest = client.get(f"{base}?sort=lowest").content.decode()
        cached_newest = client.get(base).content.decode()
    assert cached_lowest == lowest and cached_newest == newest
    # Lowest first: the one-star R04 before the two-star R03, and no five-star review on page 1.
    assert cached_lowest.index(">R04<") < cached_lowest.index(">R03<")
    assert ">R00<" not in cached_lowest
    assert cached_newest.index(">R00<") < cached_newest.index(">R01<")


def test_a_bad_value_notice_is_cached_only_for_its_own_address(client, shelf):
    therapist, _ = shelf
    base = f"/therapists/{therapist.slug}/"
    assert "Reviews cannot be sorted" in client.get(f"{base}?sort=oops").content.decode()
    assert "Reviews cannot be sorted" not in client.get(base).content.decode()


def test_each_review_shows_its_visit_month_and_verification_linked_to_the_rules(client):
    therapist = TherapistFactory()
    visit = timezone.localdate().replace(day=1) - timedelta(days=40)
    ReviewFactory(therapist=therapist, title="Came through a booking", verified_visit=True, visit_date=visit)
    ReviewFactory(therapist=therapist, title="Walked in", visit_date=visit)
    content = client.get(f"/therapists/{therapist.slug}/").content.decode()
    assert content.count(f"visited {visit:%B %Y}") == 2
    link = '<a class="status status-{kind}" href="/how-reviews-work/#verified"[^>]*>{text}'
    assert re.search(link.format(kind="verified", text="Verified visit · "), content)
    assert re.search(link.format(kind="unverified", text="Not verified</a>"), content)


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_json_ld_marks_only_verified_visits_as_reviews_and_rates_over_all(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, title="Verified five", rating=5, verified_visit=True)
    ReviewFactory(therapist=therapist, title="Unverified one", rating=1)
    ReviewFactory(therapist=therapist, title="Verified three", rating=3, verified_visit=True)
    recompute_score(therapist_id=therapist.pk)
    data = json_ld(client.get(f"/therapists/{therapist.slug}/"))
    assert sorted(item["name"] for item in data["review"]) == ["Verified five", "Verified three"]
    assert all(item["@type"] == "Review" for item in data["review"])
    assert data["aggregateRating"]["reviewCount"] == 3
    assert data["aggregateRating"]["ratingValue"] == 3.0


def test_json_ld_has_no_review_items_without_a_verified_visit(client):
    therapist = TherapistFactory()
    ReviewFactory(therapist=therapist, rating=4)
    recompute_score(therapist_id=therapist.pk)
    data = json_ld(client.get(f"/therapists/{therapist.slug}/"))
    assert "review" not in data
    assert data["aggregateRating"]["reviewCount"] == 1
