"""What people do to reviews from the profile page itself, in a real browser with CSRF enforced.

Before issue 13 every report form on a profile was refused with 403: the forms lost their CSRF
token in an `only` include, and the tests flagged through /reviews/<pk>/flag/ instead.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review, ReviewFlag, ReviewReply
from tests.browser.test_reviews import log_in
from tests.factories import ReviewFactory, TherapistFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card(page, title):
    return page.locator("article.review-card").filter(has_text=title)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_reader_reports_a_review_from_the_profile(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Clara Weber")
    review = ReviewFactory(therapist=therapist, title="Suspiciously perfect")
    reader = UserFactory()
    log_in(page, live_server, reader)

    page.goto(f"{live_server.url}/therapists/{therapist.slug}/")
    target = card(page, "Suspiciously perfect")
    target.get_by_text("Report this review").click()
    target.get_by_label("What is wrong with this review?").select_option(label="Fake or conflict of interest")
    target.get_by_label("Note for the moderators").fill("Same text on three profiles.")
    screenshot(f"profile-report-open-{width}")
    target.get_by_role("button", name="Send report").click()

    expect(page.get_by_text("The moderators will look at this review")).to_be_visible()
    assert page.url.endswith(f"/therapists/{therapist.slug}/#review-{review.pk}")
    flag = ReviewFlag.objects.get()
    assert (flag.review, flag.user, flag.reason, flag.note) == (review, reader, "fake", "Same text on three profiles.")


def test_the_therapist_replies_from_their_profile(live_server, page, screenshot):
    therapist = TherapistFactory(display_name="Jonas Falk")
    review = ReviewFactory(therapist=therapist, title="Helped my neck")
    log_in(page, live_server, therapist.user)

    page.goto(f"{live_server.url}/therapists/{therapist.slug}/")
    expect(page.get_by_role("link", name="Write a review")).to_have_count(0)
    expect(page.get_by_role("link", name="Manage your profile")).to_be_visible()
    card(page, "Helped my neck").get_by_role("link", name="Reply publicly").click()
    page.get_by_label("Your public reply").fill("Thank you, keep up the stretches.")
    page.get_by_role("button", name="Publish reply").click()

    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    expect(card(page, "Helped my neck").get_by_text("Thank you, keep up the stretches.")).to_be_visible()
    screenshot("profile-after-reply")
    assert ReviewReply.objects.get(review=review).body == "Thank you, keep up the stretches."


@pytest.mark.parametrize("width", [1280, 360])
def test_an_author_deletes_their_review_from_the_profile_after_confirming(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Paula Rossi")
    ReviewFactory(therapist=therapist, title="Someone else's review")
    # Past the 30 days: editing is closed, deleting is not.
    review = ReviewFactory(therapist=therapist, title="My old review", created_at=timezone.now() - timedelta(days=40))
    log_in(page, live_server, review.author)

    page.goto(f"{live_server.url}/therapists/{therapist.slug}/")
    mine = card(page, "My old review")
    expect(mine.get_by_role("link", name="Edit your review")).to_have_count(0)
    expect(mine.get_by_text("Editing closed on")).to_be_visible()
    mine.get_by_text("Withdraw your review").click()
    expect(mine.get_by_text("We keep it, unseen")).to_be_visible()
    screenshot(f"profile-delete-confirm-{width}")
    assert Review.objects.get(pk=review.pk).is_published  # opening the question withdraws nothing
    mine.get_by_role("button", name="Withdraw my review").click()

    expect(page.get_by_text("Your review of Paula Rossi is withdrawn")).to_be_visible()
    expect(card(page, "My old review")).to_have_count(0)
    # One review per client per therapist: a withdrawn review is not written again.
    expect(page.get_by_text("you withdrew your review")).to_be_visible()
    expect(page.get_by_role("link", name="Write a review")).to_have_count(0)
    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN
    assert Review.objects.published().filter(therapist=therapist).count() == 1


def test_a_client_edits_and_deletes_from_their_reviews_page(live_server, page, screenshot):
    client = UserFactory(name="Anna Kowalski")
    recent = ReviewFactory(author=client, therapist=TherapistFactory(display_name="Clara Weber"), title="Recent")
    old = ReviewFactory(
        author=client, therapist=TherapistFactory(display_name="Ben Brandt"), title="Old",
        created_at=timezone.now() - timedelta(days=60),
    )
    log_in(page, live_server, client)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your reviews").click()
    expect(page.get_by_role("heading", name="Your reviews", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    screenshot("my-reviews")

    page.get_by_role("link", name="Edit your review of Clara Weber").click()
    expect(page.get_by_role("heading", name="Edit your review of Clara Weber")).to_be_visible()
    page.go_back()

    expect(page.get_by_role("link", name="Edit your review of Ben Brandt")).to_have_count(0)
    page.get_by_text("Withdraw your review of Ben Brandt").click()
    page.get_by_role("button", name="Withdraw my review of Ben Brandt").click()
    expect(page.get_by_text("Your review of Ben Brandt is withdrawn")).to_be_visible()
    expect(page.get_by_role("heading", name="Your reviews", level=1)).to_be_visible()
    assert list(Review.objects.published().filter(author=client)) == [recent]
    assert Review.objects.get(pk=old.pk).status == Review.Status.WITHDRAWN
