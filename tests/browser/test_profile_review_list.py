"""The profile's review list in a real browser: sort, a star bar link, and reporting a reply (issue 17)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import ReviewReplyFlag
from tests.browser.test_reviews import log_in
from tests.factories import ReviewFactory, ReviewReplyFactory, TherapistFactory, UserFactory
from therapists.scores import recompute_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = Path("/tmp/shots-reviews17")


@pytest.fixture
def shot(page, screenshot):
    """Save to test-artifacts/ (CI keeps them) and to /tmp/shots-reviews17/ (to look at by hand)."""
    SHOTS.mkdir(exist_ok=True)

    def take(name: str) -> None:
        screenshot(name)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def therapist():
    therapist = TherapistFactory(display_name="Clara Weber")
    now = timezone.now()
    # Twelve reviews a day apart, ratings 5,4,3,2,1,5,…; every third a verified visit.
    for n in range(12):
        ReviewFactory(
            therapist=therapist, title=f"Visit number {n}", rating=5 - n % 5, created_at=now - timedelta(days=n),
            verified_visit=n % 3 == 0,
        )
    two_stars = therapist.reviews.get(title="Visit number 3")
    ReviewReplyFactory(review=two_stars, body="Thank you; as you said, the pressure was too firm. I will ask first.")
    recompute_score(therapist_id=therapist.pk)
    return therapist


@pytest.mark.parametrize("width", [1280, 360])
def test_a_reader_sorts_follows_a_star_bar_and_reports_a_reply(live_server, page, shot, therapist, width):
    page.set_viewport_size({"width": width, "height": 900})
    reader = UserFactory()
    log_in(page, live_server, reader)
    page.goto(f"{live_server.url}{therapist.get_absolute_url()}")
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.locator(".review-card").first).to_contain_text("Visit number 0")
    assert page.evaluate(NO_PAGE_SCROLL), "the profile scrolls sideways"

    reviews.get_by_label("Sort", exact=True).select_option(label="Lowest rating first")
    reviews.get_by_role("button", name="Show reviews").click()
    expect(page).to_have_url(f"{live_server.url}{therapist.get_absolute_url()}?sort=lowest&stars=#reviews-heading")
    expect(reviews.locator(".review-card").first).to_contain_text("Visit number 4")  # the newest one-star review
    expect(reviews.get_by_role("status").filter(has_text="12 reviews")).to_contain_text("lowest rating first")
    expect(reviews.get_by_role("link", name="Previous page")).to_have_count(0)
    expect(reviews.get_by_role("link", name="Next page")).to_be_visible()
    assert page.evaluate(NO_PAGE_SCROLL), "the sorted list scrolls sideways"
    shot(f"profile-reviews-lowest-{width}")

    page.get_by_role("link", name="Show 2-star reviews").click()
    expect(page).to_have_url(f"{live_server.url}{therapist.get_absolute_url()}?sort=lowest&stars=2#reviews-heading")
    cards = reviews.locator(".review-card")
    expect(cards).to_have_count(2)  # Visit number 3 and 8
    expect(reviews.get_by_text("2 reviews with 2 stars, lowest rating first.")).to_be_visible()
    expect(reviews.get_by_label("Stars", exact=True)).to_have_value("2")
    expect(page.get_by_role("link", name="Show 2-star reviews")).to_have_attribute("aria-current", "true")
    assert page.evaluate(NO_PAGE_SCROLL), "the star list scrolls sideways"
    shot(f"profile-reviews-two-stars-{width}")

    reply = cards.first.locator(".review-reply")
    expect(reply).to_contain_text("the pressure was too firm")
    reply.get_by_text("Report this reply").click()
    reply.get_by_label("What is wrong with this reply?").select_option(label="Private information")
    reply.get_by_label("Note for the moderators").fill("It repeats what I told her in the session.")
    assert page.evaluate(NO_PAGE_SCROLL), "the open report form scrolls sideways"
    shot(f"profile-reply-report-form-{width}")
    reply.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("The moderators will look at this reply")).to_be_visible()
    flag = ReviewReplyFlag.objects.get()
    assert (flag.user_id, flag.reason) == (reader.pk, "private")
    assert flag.note == "It repeats what I told her in the session."
    assert page.evaluate(NO_PAGE_SCROLL)
    shot(f"profile-reply-reported-{width}")
