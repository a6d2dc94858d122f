"""Review integrity in a real browser, from the profile page, at phone and desktop widths."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from moderation.models import Decision
from reviews.models import InsiderRefusal, Review
from tests.browser.test_reviews import log_in
from tests.factories import ModalityFactory, ReviewFactory, TherapistFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_visitor_follows_how_reviews_work_from_the_profile(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Clara Weber")
    review = ReviewFactory(therapist=therapist, title="Listened first")
    Decision.objects.record(actor=review.author, action=Decision.Action.PUBLISH_REVIEW, target=review)
    page.goto(f"{live_server.url}{therapist.get_absolute_url()}")
    page.get_by_role("region", name="Reviews").get_by_role("link", name="How reviews work").click()
    expect(page.get_by_role("heading", name="How reviews work", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Bursts of reviews wait for a moderator")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Withdrawn by author")).to_be_attached()
    this_month = timezone.localdate().strftime("%B %Y")
    expect(table.get_by_role("row", name=this_month)).to_contain_text("1")
    assert page.evaluate(NO_PAGE_SCROLL), "the page scrolls sideways"
    screenshot(f"how-reviews-work-{width}")


@pytest.mark.parametrize("width", [1280, 360])
def test_an_insider_is_refused_with_the_reason(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Ben Brandt", modalities=[ModalityFactory(name="Sports")])
    log_in(page, live_server, UserFactory())
    page.goto(f"{live_server.url}{therapist.get_absolute_url()}")
    page.get_by_role("link", name="Write a review").first.click()
    page.get_by_role("group", name="Do you work for this therapist").get_by_label("Yes").check()
    page.get_by_label("Massage type you received").select_option(label="Sports")
    page.get_by_label("Date of your visit").fill((timezone.localdate() - timedelta(days=3)).isoformat())
    page.get_by_role("group", name="Before the session").get_by_label("Yes").check()
    page.get_by_role("group", name="During or after the session").get_by_label("No").check()
    page.get_by_role("group", name="personal advice").get_by_label("Yes").check()
    page.get_by_label("5 stars").check()
    page.get_by_label("Title").fill("My colleague is great")
    page.get_by_label("Your review").fill("I work in the same practice and can vouch for her.")
    screenshot(f"review-form-insider-{width}")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_role("heading", name="We cannot publish this review")).to_be_visible()
    expect(page.get_by_text("even with the relationship disclosed")).to_be_visible()
    assert page.evaluate(NO_PAGE_SCROLL)
    screenshot(f"review-insider-refused-{width}")
    assert InsiderRefusal.objects.count() == 1 and not Review.objects.exists()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_moderator_decides_a_held_burst(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Target Studio")
    authors = UserFactory.create_batch(3, date_joined=timezone.now() - timedelta(days=2))
    held = [ReviewFactory(therapist=therapist, author=a, held=True, rating=1, title=f"Awful {i}") for i, a in
            enumerate(authors)]
    other = TherapistFactory(display_name="Elsewhere Spa")
    for author in authors[:2]:
        ReviewFactory(therapist=other, author=author)
    log_in(page, live_server, UserFactory(moderator=True))
    page.goto(f"{live_server.url}/moderation/")
    page.get_by_role("link", name="Held reviews").first.click()
    expect(page.get_by_text("2 of these reviewers also reviewed Elsewhere Spa")).to_be_visible()
    assert page.evaluate(NO_PAGE_SCROLL), "the queue scrolls sideways"
    screenshot(f"moderation-held-reviews-{width}")
    page.get_by_role("button", name="Publish “Awful 0”").click()
    expect(page.get_by_text("now counts toward the therapist")).to_be_visible()
    page.get_by_label("Reason to hide").first.fill("Same wording as the other two.")
    page.get_by_role("button", name="Hide “Awful 1”").click()
    expect(page.get_by_text("The author and the therapist are told why")).to_be_visible()
    statuses = [Review.objects.get(pk=review.pk).status for review in held]
    assert statuses == [Review.Status.PUBLISHED, Review.Status.HIDDEN, Review.Status.HELD]
