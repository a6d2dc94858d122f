"""Unpublish is a secondary action that asks first; the home page searches by keyword."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_reviews import log_in
from tests.factories import TherapistFactory
from therapists.models import Therapist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIMARY = "rgb(11, 93, 99)"  # --brand, the background of a primary button


@pytest.mark.parametrize("width", [1280, 360])
def test_unpublish_is_secondary_and_hides_the_profile_only_after_confirming(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    therapist = TherapistFactory(display_name="Clara Weber")
    log_in(page, live_server, therapist.user)
    page.goto(live_server.url + "/dashboard/")

    unpublish = page.get_by_text("Unpublish…")
    assert unpublish.evaluate("e => getComputedStyle(e).backgroundColor") != PRIMARY
    primaries = page.locator(".button").evaluate_all(
        f"buttons => buttons.filter(b => b.checkVisibility() && getComputedStyle(b).backgroundColor === '{PRIMARY}')"
        ".map(b => b.textContent.trim())"
    )
    assert primaries == ["Submit a licence or certificate"]

    unpublish.click()
    expect(page.get_by_text("clients can no longer find it")).to_be_visible()
    screenshot(f"dashboard-unpublish-question-{width}")
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.PUBLISHED  # asking changed nothing

    page.get_by_role("button", name="Yes, unpublish my profile").click()
    expect(page.get_by_text("Your profile is back to draft")).to_be_visible()
    therapist.refresh_from_db()
    assert therapist.status == Therapist.Status.DRAFT


def test_a_visitor_searches_by_keyword_from_the_home_page(live_server, page, screenshot):
    TherapistFactory(display_name="Clara Weber", headline="Lymphatic drainage after surgery")
    TherapistFactory(display_name="Ben Brandt", headline="Sports massage for runners")
    page.goto(live_server.url + "/")
    page.get_by_label("Name, massage type or keyword").fill("lymphatic")
    screenshot("home-keyword")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 therapist found")).to_be_visible()
    expect(page.get_by_role("link", name="Clara Weber")).to_be_visible()
    expect(page.get_by_role("link", name="Remove filter: Words: “lymphatic”")).to_be_visible()
